package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// candidate is a machine a claim may take, with the lease it had.
type candidate struct {
	machine    string
	oldSession sql.NullInt64
	oldToken   sql.NullInt64
}

// claim takes up to s.batch leases on due machines in one transaction: machines in the
// process's From stage whose lease is free or expired and whose backoff is over. On
// PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED, so concurrent claims take
// different machines instead of waiting on each other; on SQLite the transaction is the only
// writer. Either way, the lease itself is taken by a conditional upsert, which is what makes
// two claims of one machine impossible: the loser's upsert matches no row.
func (s *Source) claim(ctx context.Context) ([]Lease, error) {
	db := s.sess.db
	var leases []Lease
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		leases = leases[:0]
		now := ms(db.now())
		var one int
		err := db.queryRow(ctx, tx, `SELECT 1 FROM sessions WHERE session_id = ? AND expires > ?`, s.sess.id, now).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrSessionExpired
		} else if err != nil {
			return err
		}
		cands, err := s.candidates(ctx, tx, now)
		if err != nil {
			return err
		}
		for _, c := range cands {
			l, ok, err := s.take(ctx, tx, c, now)
			if err != nil {
				return err
			}
			if ok {
				leases = append(leases, l)
			}
		}
		return nil
	})
	return leases, err
}

// candidates lists due machines: expired leases first, so that a dead process's work is taken
// over by the next claim, then by id.
func (s *Source) candidates(ctx context.Context, tx *sql.Tx, now int64) ([]candidate, error) {
	db := s.sess.db
	rows, err := db.query(ctx, tx, `SELECT m.machine_id, w.session_id, w.token FROM machines m
		LEFT JOIN work w ON w.machine_id = m.machine_id AND w.process = ?
		LEFT JOIN sessions s ON s.session_id = w.session_id
		WHERE m.stage = ? AND (w.session_id IS NULL OR s.session_id IS NULL OR s.expires <= ?)
		AND NOT EXISTS (SELECT 1 FROM backoff b WHERE b.machine_id = m.machine_id AND b.process = ? AND b.until > ?)
		ORDER BY CASE WHEN w.session_id IS NULL THEN 1 ELSE 0 END, m.machine_id LIMIT ?`+db.d.skipLocked,
		s.proc.Name, s.proc.From, now, s.proc.Name, now, s.batch)
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

// take leases one candidate to the session, bumping the fencing token, unless another claim
// got it first (ok is false then). Taking over an expired lease records an "expired" event
// under the dead session.
func (s *Source) take(ctx context.Context, tx *sql.Tx, c candidate, now int64) (Lease, bool, error) {
	db := s.sess.db
	l := Lease{Machine: c.machine, Process: s.proc.Name, Session: s.sess.id}
	err := db.queryRow(ctx, tx, `INSERT INTO work (machine_id, process, session_id, token) VALUES (?, ?, ?, 1)
		ON CONFLICT (machine_id, process) DO UPDATE
		SET session_id = excluded.session_id, token = work.token + 1
		WHERE work.session_id IS NULL
		OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > ?)
		RETURNING token`, c.machine, s.proc.Name, s.sess.id, now).Scan(&l.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, false, nil
	} else if err != nil {
		return Lease{}, false, err
	}
	if c.oldSession.Valid {
		cause := fmt.Sprintf("taken over by session %d", s.sess.id)
		if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.machine, s.proc.Name, c.oldSession.Int64, c.oldToken.Int64, EventExpired, cause, now); err != nil {
			return Lease{}, false, err
		}
	}
	return l, true, nil
}

func errorsIsExpired(err error) bool { return errors.Is(err, ErrSessionExpired) }
