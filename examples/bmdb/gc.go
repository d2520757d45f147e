package bmdb

import (
	"context"
	"database/sql"
	"fmt"
)

// Collected says what one [DB.GC] removed.
type Collected struct {
	Sessions int // expired sessions deleted
	Leases   int // expired leases released
}

// GC collects what dead processes left behind: it releases every expired lease (recording an
// "expired" event naming its session in the history) and deletes every expired session.
// Claims take over expired leases by themselves; GC makes sure a dead session's locks do not
// linger when nobody claims, and keeps the sessions table small. It is safe to run from many
// processes at once, and cheap when no session has expired. [Session.Run] runs it once per TTL,
// and every claim first.
func (db *DB) GC(ctx context.Context) (Collected, error) {
	var c Collected
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		var expired int
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM sessions WHERE expires <= ?`, now).Scan(&expired); err != nil || expired == 0 {
			return err // the common case: one look at the small sessions table
		}
		if ok, err := db.gcLock(ctx, tx); err != nil || !ok {
			return err // another process is collecting
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT machine_id, process, session_id, token, ?, ?, ? FROM work w WHERE session_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = w.session_id AND s.expires > ?)`,
			EventExpired, "collected", now, now); err != nil {
			return err
		}
		res, err := db.exec(ctx, tx, `UPDATE work SET session_id = NULL WHERE session_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > ?)`, now)
		if err != nil {
			return err
		}
		c.Leases = rowsAffected(res)
		res, err = db.exec(ctx, tx, `DELETE FROM sessions WHERE expires <= ?`, now)
		if err != nil {
			return err
		}
		c.Sessions = rowsAffected(res)
		return nil
	})
	if err != nil {
		return Collected{}, fmt.Errorf("bmdb: gc: %w", err)
	}
	return c, nil
}

// gcLock makes collections take turns on PostgreSQL, where two of them releasing the same
// leases in different orders could deadlock; it reports false if another holds the turn.
func (db *DB) gcLock(ctx context.Context, tx *sql.Tx) (bool, error) {
	if db.d.name != "postgres" {
		return true, nil // SQLite: the transaction is the only writer
	}
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(7263515)`).Scan(&ok)
	return ok, err
}

func rowsAffected(res sql.Result) int {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return int(n)
}
