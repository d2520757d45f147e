package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver, pure Go
)

// DB is a BMDB: machines, sessions, leases, backoffs and history in SQLite or PostgreSQL. It is
// safe for concurrent use. Make one with [Open]; the zero value is not usable.
type DB struct {
	sql *sql.DB
	d   dialect
	now func() time.Time
}

// dialect is the small part that differs between the two databases: how to connect, the
// column types of the schema, and how a claim locks the machines it looks at.
type dialect struct {
	name   string // "sqlite" or "postgres"
	driver string
	// ident is the type of an auto-numbered primary key column.
	ident string
	// skipLocked ends a claim's SELECT: rows another claim has locked are passed over.
	skipLocked string
	// lockMachine locks a machine's row before its lease, in the order claims lock them, so
	// that a report and a claim never wait on each other in a cycle.
	lockMachine string
}

var (
	sqliteDialect   = dialect{name: "sqlite", driver: "sqlite", ident: "INTEGER PRIMARY KEY AUTOINCREMENT"} // ids are never reused
	postgresDialect = dialect{name: "postgres", driver: "pgx",
		ident: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", skipLocked: " FOR UPDATE OF m SKIP LOCKED",
		lockMachine: `SELECT 1 FROM machines WHERE machine_id = ? FOR UPDATE`}
)

// OpenOption configures [Open].
type OpenOption func(*DB)

// WithClock makes the database read the time from now instead of [time.Now]. Every time the
// database stores (heartbeats, lease expiries, backoffs, history) comes from this clock, so that
// tests can expire leases without waiting. Processes sharing a database must have clocks in
// step (NTP): a lease expires by the clock of the process that takes it over.
func WithClock(now func() time.Time) OpenOption {
	return func(db *DB) { db.now = now }
}

// Open connects to the database named by dsn and migrates its schema to the version this
// package knows. dsn is a PostgreSQL URL (postgres://user@host:port/db?sslmode=disable) or a
// SQLite file (a path, or sqlite:path). SQLite is for one process; PostgreSQL for several
// processes on several machines.
//
// Open returns an error matching [ErrBadDSN] for a dsn it cannot use, a *[SchemaError]
// matching [ErrSchemaTooNew] for a database migrated by a newer program, and the database's
// error, naming the dialect, when it cannot connect. It blocks until connected and migrated.
func Open(ctx context.Context, dsn string, opts ...OpenOption) (*DB, error) {
	d, source, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	conn, err := sql.Open(d.driver, source)
	if err != nil {
		return nil, fmt.Errorf("bmdb: open %s: %w", d.name, err)
	}
	if d.name == "sqlite" {
		conn.SetMaxOpenConns(1) // one writer: transactions queue in-process, not on SQLITE_BUSY
	} else {
		conn.SetMaxOpenConns(32)
		conn.SetMaxIdleConns(32)
	}
	db := &DB{sql: conn, d: d, now: time.Now}
	for _, opt := range opts {
		opt(db)
	}
	if err := conn.PingContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("bmdb: connect to %s: %w", d.name, err)
	}
	if err := db.migrate(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the connections. It does not end sessions: see [Session.Close].
func (db *DB) Close() error { return db.sql.Close() }

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// parseDSN picks the dialect of dsn and the driver's data source name.
func parseDSN(dsn string) (dialect, string, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := url.Parse(dsn); err != nil {
			return dialect{}, "", fmt.Errorf("%w: %q: %v", ErrBadDSN, dsn, err)
		}
		return postgresDialect, dsn, nil
	case strings.Contains(dsn, "://"), dsn == "", dsn == "sqlite:":
		return dialect{}, "", fmt.Errorf("%w: %q: want postgres://... or a SQLite file path", ErrBadDSN, dsn)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if strings.ContainsAny(path, "?#") {
		return dialect{}, "", fmt.Errorf("%w: %q: a SQLite path takes no parameters (want a file path, or postgres://...)", ErrBadDSN, dsn)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "synchronous(normal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Set("_txlock", "immediate")
	return sqliteDialect, "file:" + path + "?" + q.Encode(), nil
}

// rebind turns the ? placeholders of query into $1, $2... for PostgreSQL. Queries in this
// package never have a ? inside a string literal.
func (d dialect) rebind(query string) string {
	if d.name != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ms is the time as stored: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// execer is what a query needs: a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) exec(ctx context.Context, e execer, query string, args ...any) (sql.Result, error) {
	return e.ExecContext(ctx, db.d.rebind(query), args...)
}

func (db *DB) query(ctx context.Context, e execer, query string, args ...any) (*sql.Rows, error) {
	return e.QueryContext(ctx, db.d.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, e execer, query string, args ...any) *sql.Row {
	return e.QueryRowContext(ctx, db.d.rebind(query), args...)
}

// inTx runs fn in a transaction and commits it if fn returns nil. A transaction PostgreSQL
// aborted to break a deadlock or a serialization conflict is run again, up to three times:
// fn must be safe to repeat.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range 3 {
		if err = db.tryTx(ctx, fn); !retryable(err) {
			return err
		}
	}
	return err
}

// retryable reports whether PostgreSQL aborted a transaction that may succeed if run again:
// deadlock_detected (40P01) or serialization_failure (40001).
func retryable(err error) bool {
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
