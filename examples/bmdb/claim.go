package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
		var alive, expired int
		if err := db.queryRow(ctx, tx, `SELECT
			(SELECT COUNT(*) FROM sessions WHERE session_id = ? AND expires > ?),
			(SELECT COUNT(*) FROM sessions WHERE expires <= ?)`, s.sess.id, now, now).Scan(&alive, &expired); err != nil {
			return err
		}
		switch {
		case alive == 0:
			return ErrSessionExpired
		case expired > 0:
			return errCollect
		}
		cands, err := s.candidates(ctx, tx, now)
		if err != nil {
			return err
		}
		leases, err = s.take(ctx, tx, cands, now)
		return err
	})
	return leases, err
}

// candidates lists due machines by id, in the order of the machines_stage index, so that the
// query stops after s.batch rows however many machines are due.
func (s *Source) candidates(ctx context.Context, tx *sql.Tx, now int64) ([]candidate, error) {
	db := s.sess.db
	// The lease and backoff checks are scalar subqueries on purpose: each is an index probe per
	// machine, in the index's order, so the scan stops after s.batch rows. As joins, the
	// planner may merge-join the whole work table to find the few leases that are held.
	rows, err := db.query(ctx, tx, `SELECT m.machine_id,
		(SELECT w.session_id FROM work w WHERE w.machine_id = m.machine_id AND w.process = ?),
		(SELECT w.token FROM work w WHERE w.machine_id = m.machine_id AND w.process = ?)
		FROM machines m
		WHERE m.stage = ?
		AND COALESCE((SELECT s.expires FROM work w JOIN sessions s ON s.session_id = w.session_id
			WHERE w.machine_id = m.machine_id AND w.process = ?), 0) <= ?
		AND COALESCE((SELECT b.until FROM backoff b WHERE b.machine_id = m.machine_id AND b.process = ?), 0) <= ?
		ORDER BY m.machine_id LIMIT ?`+db.d.skipLocked,
		s.proc.Name, s.proc.Name, s.proc.From, s.proc.Name, now, s.proc.Name, now, s.batch)
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
// except those another claim got first. Taking over an expired lease records an "expired"
// event under the dead session.
func (s *Source) take(ctx context.Context, tx *sql.Tx, cands []candidate, now int64) ([]Lease, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	db := s.sess.db
	var q strings.Builder
	args := make([]any, 0, 3*len(cands)+1)
	q.WriteString(`INSERT INTO work (machine_id, process, session_id, token) VALUES `)
	for i, c := range cands {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, 1)")
		args = append(args, c.machine, s.proc.Name, s.sess.id)
	}
	q.WriteString(` ON CONFLICT (machine_id, process) DO UPDATE
		SET session_id = excluded.session_id, token = work.token + 1
		WHERE work.session_id IS NULL
		OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > ?)
		RETURNING machine_id, token`)
	tokens, err := s.scanTokens(db.query(ctx, tx, q.String(), append(args, now)...))
	if err != nil {
		return nil, err
	}
	var leases []Lease
	for _, c := range cands { // in the candidates' order: takeovers first
		tok, ok := tokens[c.machine]
		if !ok {
			continue // another claim got it first
		}
		leases = append(leases, Lease{Machine: c.machine, Process: s.proc.Name, Session: s.sess.id, Token: tok})
		if c.oldSession.Valid {
			if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, c.machine, s.proc.Name, c.oldSession.Int64, c.oldToken.Int64, EventExpired,
				fmt.Sprintf("taken over by session %d", s.sess.id), now); err != nil {
				return nil, err
			}
		}
	}
	return leases, nil
}

// scanTokens reads (machine, token) rows.
func (s *Source) scanTokens(rows *sql.Rows, err error) (map[string]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var m string
		var tok int64
		if err := rows.Scan(&m, &tok); err != nil {
			return nil, err
		}
		out[m] = tok
	}
	return out, rows.Err()
}

// errCollect tells claimCollecting to collect an expired session before it claims.
var errCollect = errors.New("bmdb: an expired session is to be collected")
