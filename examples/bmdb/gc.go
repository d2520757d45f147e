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
// "expired" event naming its session in the history) and deletes every expired session that
// holds no lease any more. Claims take over expired leases by themselves; GC makes sure a dead
// session's locks do not linger when nobody claims, and keeps the sessions table small.
//
// GC never waits for another process: on PostgreSQL it passes over the rows another
// transaction holds locked (a process frozen in the middle of one), and collects them at a
// later run, once the server has ended that transaction. It is safe to run from many
// processes at once, and cheap when no session has expired. [Session.Run] runs it once per TTL.
func (db *DB) GC(ctx context.Context) (Collected, error) {
	var c Collected
	var err error
	if db.d.name == "postgres" {
		c, err = db.gcPG(ctx)
	} else {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			var terr error
			c, terr = db.gcSQLite(ctx, tx)
			return terr
		})
	}
	if err != nil {
		return Collected{}, fmt.Errorf("bmdb: gc: %w", err)
	}
	return c, nil
}

// anyExpired is the common case's one look at the small sessions table.
func (db *DB) anyExpired(ctx context.Context, e execer, now int64) (bool, error) {
	var expired int
	err := db.queryRow(ctx, e, `SELECT COUNT(*) FROM sessions WHERE expires <= ?`, now).Scan(&expired)
	return expired > 0, err
}

// gcPG collects in one statement that skips locked rows, so it waits on no one and two
// collections never deadlock.
func (db *DB) gcPG(ctx context.Context) (Collected, error) {
	now := ms(db.now())
	if found, err := db.anyExpired(ctx, db.sql, now); err != nil || !found {
		return Collected{}, err
	}
	var c Collected
	err := db.sql.QueryRowContext(ctx, `WITH
		dead AS (SELECT w.machine_id, w.process, w.session_id, w.token FROM work w
			WHERE w.session_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = w.session_id AND s.expires > $1)
			FOR UPDATE SKIP LOCKED),
		freed AS (UPDATE work w SET session_id = NULL FROM dead d
			WHERE w.machine_id = d.machine_id AND w.process = d.process RETURNING 1),
		record AS (INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			SELECT machine_id, process, session_id, token, $2, 'collected', $1 FROM dead),
		gone AS (DELETE FROM sessions WHERE session_id IN (SELECT s.session_id FROM sessions s
			WHERE s.expires <= $1 AND NOT EXISTS (SELECT 1 FROM work w WHERE w.session_id = s.session_id
				AND (w.machine_id, w.process) NOT IN (SELECT machine_id, process FROM dead))
			FOR UPDATE SKIP LOCKED) RETURNING 1)
		SELECT (SELECT COUNT(*) FROM freed), (SELECT COUNT(*) FROM gone)`,
		now, EventExpired).Scan(&c.Leases, &c.Sessions)
	return c, err
}

// gcSQLite collects in the transaction tx, the only writer.
func (db *DB) gcSQLite(ctx context.Context, tx *sql.Tx) (Collected, error) {
	now := ms(db.now())
	if found, err := db.anyExpired(ctx, tx, now); err != nil || !found {
		return Collected{}, err
	}
	const deadLease = `session_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = work.session_id AND s.expires > ?)`
	if _, err := db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
		SELECT machine_id, process, session_id, token, ?, 'collected', ? FROM work WHERE `+deadLease,
		EventExpired, now, now); err != nil {
		return Collected{}, err
	}
	res, err := db.exec(ctx, tx, `UPDATE work SET session_id = NULL WHERE `+deadLease, now)
	if err != nil {
		return Collected{}, err
	}
	c := Collected{Leases: rowsAffected(res)}
	if res, err = db.exec(ctx, tx, `DELETE FROM sessions WHERE expires <= ?`, now); err != nil {
		return Collected{}, err
	}
	c.Sessions = rowsAffected(res)
	return c, nil
}
