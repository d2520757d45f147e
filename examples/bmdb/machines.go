package bmdb

import (
	"context"
	"database/sql"
	"fmt"
)

// The events recorded in the history.
const (
	EventFinished = "finished" // the work succeeded; the machine moved to the process's To stage
	EventFailed   = "failed"   // the work failed and will be retried after a backoff
	EventRequeued = "requeued" // the work succeeded and asked to run again after a delay
	EventDropped  = "dropped"  // the work failed for good (a backoff.Permanent error)
	EventExpired  = "expired"  // the lease's session died; recorded under the dead session
)

// AddMachines adds machines in stage, skipping ids that exist already. It blocks on the
// database.
func (db *DB) AddMachines(ctx context.Context, stage string, ids ...string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		for _, id := range ids {
			if _, err := db.exec(ctx, tx, `INSERT INTO machines (machine_id, stage, created) VALUES (?, ?, ?)
				ON CONFLICT (machine_id) DO NOTHING`, id, stage, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bmdb: add machines: %w", err)
	}
	return nil
}

// Event is one row of the history.
type Event struct {
	Machine, Process string
	Session, Token   int64
	Event, Cause     string
	AtMillis         int64 // Unix milliseconds by the database's clock (see [WithClock])
}

// History returns the history of every machine, oldest first. It blocks on the database.
func (db *DB) History(ctx context.Context) ([]Event, error) {
	rows, err := db.query(ctx, db.sql, `SELECT machine_id, process, session_id, token, event, cause, at
		FROM history ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("bmdb: history: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Machine, &e.Process, &e.Session, &e.Token, &e.Event, &e.Cause, &e.AtMillis); err != nil {
			return nil, fmt.Errorf("bmdb: history: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bmdb: history: %w", err)
	}
	return out, nil
}
