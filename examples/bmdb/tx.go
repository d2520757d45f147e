package bmdb

import (
	"context"
	"database/sql"
	"errors"
)

// inTx runs fn in a transaction and commits it if fn returns nil. A transaction PostgreSQL
// aborted to break a deadlock or a serialization conflict is run again, up to three times:
// fn must be safe to repeat. Other errors, transient ones included, are the caller's to retry.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range 3 {
		if err = db.tryTx(ctx, fn); !aborted(err) {
			return err
		}
	}
	return err
}

// aborted reports whether PostgreSQL aborted a transaction that may succeed if run again at
// once: deadlock_detected (40P01) or serialization_failure (40001).
func aborted(err error) bool {
	var pe interface{ SQLState() string }
	if !errors.As(err, &pe) {
		return false
	}
	return pe.SQLState() == "40P01" || pe.SQLState() == "40001"
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
