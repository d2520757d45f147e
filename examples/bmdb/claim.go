package bmdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// claim takes up to n leases on due machines: machines in the process's From stage whose
// lease is free or expired and whose backoff is over, in machine id order. The lease itself is
// taken by a conditional upsert, which is what makes two claims of one machine impossible:
// the loser's upsert matches no row. A takeover of an expired lease keeps the work's
// idempotency key and records an "expired" event under the dead session. A claim by a
// session that has expired takes nothing and returns [ErrSessionExpired].
func (s *Source) claim(ctx context.Context, n int) ([]Lease, error) {
	var leases []Lease
	var err error
	if s.sess.db.d.name == "postgres" {
		leases, err = s.claimPG(ctx, n)
	} else {
		leases, err = s.claimSQLite(ctx, n)
	}
	slices.SortFunc(leases, func(a, b Lease) int { return cmp.Compare(a.Machine, b.Machine) })
	return leases, err
}

// claimPG is a claim in one statement, so one round trip: the candidates are locked FOR UPDATE
// SKIP LOCKED, so that concurrent claims take different machines instead of waiting on each
// other, and so that a machine another process holds locked (even one frozen in the middle
// of a transaction) is passed over. The last row, with no machine, says the session expired.
func (s *Source) claimPG(ctx context.Context, n int) ([]Lease, error) {
	db := s.sess.db
	now := ms(db.now())
	// The lateral lookups are index probes per machine, in the machines_stage index's order,
	// so that the scan stops after n rows however many machines are due. OFFSET 0 keeps the
	// planner from turning them into a join of the whole work table.
	rows, err := db.sql.QueryContext(ctx, `WITH
		me AS (SELECT 1 FROM sessions WHERE session_id = $1 AND expires > $2),
		cand AS (SELECT m.machine_id, lw.session_id AS old_session, lw.token AS old_token
			FROM machines m
			LEFT JOIN LATERAL (SELECT w.session_id, w.token, s.expires FROM work w
				LEFT JOIN sessions s ON s.session_id = w.session_id
				WHERE w.machine_id = m.machine_id AND w.process = $3 OFFSET 0) lw ON true
			WHERE EXISTS (SELECT 1 FROM me) AND m.stage = $4
			AND (lw.session_id IS NULL OR COALESCE(lw.expires, 0) <= $2)
			AND COALESCE((SELECT b.until FROM backoff b WHERE b.machine_id = m.machine_id AND b.process = $3), 0) <= $2
			ORDER BY m.machine_id LIMIT $5
			FOR UPDATE OF m SKIP LOCKED),
		took AS (INSERT INTO work (machine_id, process, session_id, token, idem_key)
			SELECT machine_id, $3, $1, 1, 1 FROM cand
			ON CONFLICT (machine_id, process) DO UPDATE
			SET session_id = excluded.session_id, token = work.token + 1,
				idem_key = COALESCE(work.idem_key, work.token + 1)
			WHERE work.session_id IS NULL
			OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > $2)
			RETURNING machine_id, token, idem_key),
		record AS (INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT c.machine_id, $3, c.old_session, c.old_token, $6, $7, $2
			FROM cand c JOIN took t ON t.machine_id = c.machine_id WHERE c.old_session IS NOT NULL)
		SELECT machine_id, token, idem_key FROM took
		UNION ALL SELECT NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM me)`,
		s.sess.id, now, s.proc.Name, s.proc.From, n, EventExpired, s.takenOver())
	if err != nil {
		return nil, err
	}
	return s.scanLeases(rows)
}

// takenOver is the cause recorded under a session whose lease this one took over.
func (s *Source) takenOver() string { return fmt.Sprintf("taken over by session %d", s.sess.id) }

// scanLeases reads (machine, token, key) rows; a row with no machine means the session
// expired.
func (s *Source) scanLeases(rows *sql.Rows) ([]Lease, error) {
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var m sql.NullString
		var tok, key sql.NullInt64
		if err := rows.Scan(&m, &tok, &key); err != nil {
			return nil, err
		}
		if !m.Valid {
			return nil, ErrSessionExpired
		}
		out = append(out, Lease{Machine: m.String, Process: s.proc.Name, Session: s.sess.id, Token: tok.Int64,
			Key: cmp.Or(key.Int64, tok.Int64)})
	}
	return out, rows.Err()
}

// candidate is a machine a SQLite claim may take, with the lease it had.
type candidate struct {
	machine    string
	oldSession sql.NullInt64
	oldToken   sql.NullInt64
}

// claimSQLite is a claim in one transaction, the only writer.
func (s *Source) claimSQLite(ctx context.Context, n int) ([]Lease, error) {
	db := s.sess.db
	var leases []Lease
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		var alive int
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM sessions WHERE session_id = ? AND expires > ?`,
			s.sess.id, now).Scan(&alive); err != nil {
			return err
		}
		if alive == 0 {
			return ErrSessionExpired
		}
		cands, err := s.candidates(ctx, tx, now, n)
		if err != nil {
			return err
		}
		leases, err = s.take(ctx, tx, cands, now)
		return err
	})
	return leases, err
}

// candidates lists up to n due machines by id.
func (s *Source) candidates(ctx context.Context, tx *sql.Tx, now int64, n int) ([]candidate, error) {
	db := s.sess.db
	rows, err := db.query(ctx, tx, `SELECT m.machine_id, w.session_id, w.token
		FROM machines m
		LEFT JOIN work w ON w.machine_id = m.machine_id AND w.process = ?
		LEFT JOIN sessions s ON s.session_id = w.session_id
		WHERE m.stage = ?
		AND (w.session_id IS NULL OR COALESCE(s.expires, 0) <= ?)
		AND COALESCE((SELECT b.until FROM backoff b WHERE b.machine_id = m.machine_id AND b.process = ?), 0) <= ?
		ORDER BY m.machine_id LIMIT ?`,
		s.proc.Name, s.proc.From, now, s.proc.Name, now, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.machine, &c.oldSession, &c.oldToken); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// take leases the candidates to the session in one statement, bumping their fencing tokens,
// and records the takeovers.
func (s *Source) take(ctx context.Context, tx *sql.Tx, cands []candidate, now int64) ([]Lease, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	db := s.sess.db
	var q strings.Builder
	args := make([]any, 0, 3*len(cands)+1)
	q.WriteString(`INSERT INTO work (machine_id, process, session_id, token, idem_key) VALUES `)
	for i, c := range cands {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, 1, 1)")
		args = append(args, c.machine, s.proc.Name, s.sess.id)
	}
	q.WriteString(` ON CONFLICT (machine_id, process) DO UPDATE
		SET session_id = excluded.session_id, token = work.token + 1, idem_key = COALESCE(work.idem_key, work.token + 1)
		WHERE work.session_id IS NULL
		OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > ?)
		RETURNING machine_id, token, idem_key`)
	rows, err := db.query(ctx, tx, q.String(), append(args, now)...)
	if err != nil {
		return nil, err
	}
	leases, err := s.scanLeases(rows)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, l := range leases {
		taken[l.Machine] = true
	}
	for _, c := range cands {
		if !c.oldSession.Valid || !taken[c.machine] {
			continue
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.machine, s.proc.Name, c.oldSession.Int64, c.oldToken.Int64, EventExpired,
			s.takenOver(), now); err != nil {
			return nil, err
		}
	}
	return leases, nil
}
