package bmdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// migrations are the schema, one entry per version: entry i takes a database from version i
// to version i+1. Entries are never edited once released, only appended. {ident} is the
// dialect's auto-numbered key column. Times are Unix milliseconds (see [WithClock]).
var migrations = [][]string{
	{ // 1: machines, sessions, leases, backoffs, history
		`CREATE TABLE machines (
			machine_id TEXT PRIMARY KEY,
			stage      TEXT NOT NULL,
			created    BIGINT NOT NULL)`,
		`CREATE INDEX machines_stage ON machines (stage, machine_id)`,
		`CREATE TABLE sessions (
			session_id {ident},
			component  TEXT NOT NULL,
			started    BIGINT NOT NULL,
			ttl        BIGINT NOT NULL,
			expires    BIGINT NOT NULL)`,
		// One row per (machine, process) ever worked on: a lease is held while session_id
		// names a live session, so a heartbeat renews all of a session's leases by updating
		// one row. The row outlives the lease so that token, the fencing token, only grows.
		`CREATE TABLE work (
			machine_id TEXT NOT NULL REFERENCES machines (machine_id),
			process    TEXT NOT NULL,
			session_id BIGINT,
			token      BIGINT NOT NULL,
			PRIMARY KEY (machine_id, process))`,
		// No index on work.session_id: a lease changes hands without touching an index (a
		// HOT update on PostgreSQL); only Session.Close and a GC that found an expired
		// session scan the table.
		`CREATE TABLE backoff (
			machine_id  TEXT NOT NULL REFERENCES machines (machine_id),
			process     TEXT NOT NULL,
			until       BIGINT NOT NULL,
			interval_ms BIGINT NOT NULL,
			failures    BIGINT NOT NULL,
			cause       TEXT NOT NULL,
			PRIMARY KEY (machine_id, process))`,
		`CREATE TABLE history (
			id         {ident},
			machine_id TEXT NOT NULL,
			process    TEXT NOT NULL,
			session_id BIGINT NOT NULL,
			token      BIGINT NOT NULL,
			event      TEXT NOT NULL,
			cause      TEXT NOT NULL,
			at         BIGINT NOT NULL)`,
	},
	{ // 2: audit queries by machine
		`CREATE INDEX history_machine ON history (machine_id, process, event)`,
	},
	{ // 3: the idempotency key of the work on a machine, which outlives a takeover (see Lease.Key)
		`ALTER TABLE work ADD COLUMN idem_key BIGINT`,
	},
}

// SchemaVersion is the schema version this package migrates to.
var SchemaVersion = len(migrations)

// migrate brings the schema to SchemaVersion in one transaction, or fails if it is newer. A
// transient error (another process migrating holds the lock longer than lock_timeout) is
// retried for up to a minute.
func (db *DB) migrate(ctx context.Context) error {
	p := backoff.Policy{Initial: 20 * time.Millisecond, Max: time.Second, MaxElapsed: time.Minute}
	_, err := retryTransient(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, db.inTx(ctx, func(tx *sql.Tx) error { return db.migrateTx(ctx, tx) })
	})
	if err != nil {
		return fmt.Errorf("bmdb: migrate %s schema: %w", db.d.name, err)
	}
	return nil
}

// migrateTx is one attempt at the migration.
func (db *DB) migrateTx(ctx context.Context, tx *sql.Tx) error {
	if db.d.name == "postgres" {
		// A migration may take longer than a statement usually may; the lock wait stays
		// bounded. Several processes may start at once: one migrates, the others wait and
		// find it done.
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7263514)`); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)`); err != nil {
		return err
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return &SchemaError{Have: have, Want: len(migrations)}
	}
	for v := have; v < len(migrations); v++ {
		if err := db.applyMigration(ctx, tx, v); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs migrations[v], taking the schema to version v+1.
func (db *DB) applyMigration(ctx context.Context, tx *sql.Tx, v int) error {
	for _, stmt := range migrations[v] {
		stmt = strings.ReplaceAll(stmt, "{ident}", db.d.ident)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("version %d: %w", v+1, err)
		}
	}
	_, err := db.exec(ctx, tx, `INSERT INTO schema_version (version) VALUES (?)`, v+1)
	return err
}
