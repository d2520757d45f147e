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
// processes at once. [Session.Run] runs it once per TTL.
func (db *DB) GC(ctx context.Context) (Collected, error) {
	var c Collected
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT machine_id, process, session_id, token, ?, ?, ? FROM work
			WHERE session_id IS NOT NULL AND expires <= ?`, EventExpired, "collected", now, now); err != nil {
			return err
		}
		res, err := db.exec(ctx, tx, `UPDATE work SET session_id = NULL, expires = 0 WHERE session_id IS NOT NULL AND expires <= ?`, now)
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

func rowsAffected(res sql.Result) int {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return int(n)
}
