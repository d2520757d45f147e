package bmdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"           // the "sqlite" database/sql driver, pure Go
)

// DB is a BMDB: machines, sessions, leases, backoffs and history in SQLite or PostgreSQL. It is
// safe for concurrent use. Make one with [Open]; the zero value is not usable.
type DB struct {
	sql *sql.DB
	d   dialect
	now func() time.Time
	ttl time.Duration // the default session TTL, which the waits on PostgreSQL are chosen from

	inReport func(Lease) // a test hook: runs in a report's transaction, after the fence
}

// testHookInReport runs the test hook set by export_test.go, if any.
func (db *DB) testHookInReport(l Lease) {
	if db.inReport != nil {
		db.inReport(l)
	}
}

// dialect is the small part that differs between the two databases: how to connect, the
// column types of the schema, and how a claim locks the machines it looks at.
type dialect struct {
	name   string // "sqlite" or "postgres"
	driver string
	// ident is the type of an auto-numbered primary key column.
	ident string
	// lockMachine locks a machine's row before its lease, in the order claims lock them, so
	// that a report and a claim never wait on each other in a cycle.
	lockMachine string
}

var (
	sqliteDialect   = dialect{name: "sqlite", driver: "sqlite", ident: "INTEGER PRIMARY KEY AUTOINCREMENT"} // ids are never reused
	postgresDialect = dialect{name: "postgres", driver: "pgx",
		ident:       "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
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

// WithTTL sets the TTL of the sessions opened on the database ([SessionTTL] overrides it for
// one session) and the bounds of every wait on PostgreSQL, which are chosen from it (default
// [DefaultSessionTTL]): a lock wait ends after a tenth of the TTL, a statement after a
// quarter, and the server ends a transaction left idle for a quarter (a process frozen or
// gone in the middle of one), releasing its locks. A TTL that is not positive is ignored.
func WithTTL(ttl time.Duration) OpenOption {
	return func(db *DB) {
		if ttl > 0 {
			db.ttl = ttl
		}
	}
}

// Open connects to the database named by dsn and migrates its schema to the version this
// package knows. dsn is a PostgreSQL URL (postgres://user@host:port/db?sslmode=disable) or a
// SQLite file (a path, or sqlite:path). SQLite is for one process; PostgreSQL for several
// processes on several machines. On PostgreSQL, settings the URL gives (statement_timeout=...)
// win over the bounds of [WithTTL].
//
// Open returns an error matching [ErrBadDSN] for a dsn it cannot use, a *[SchemaError]
// matching [ErrSchemaTooNew] for a database migrated by a newer program, and the database's
// error, naming the dialect, when it cannot connect. It blocks until connected and migrated.
func Open(ctx context.Context, dsn string, opts ...OpenOption) (*DB, error) {
	d, source, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{d: d, now: time.Now, ttl: DefaultSessionTTL}
	for _, opt := range opts {
		opt(db)
	}
	if db.sql, err = db.connect(source); err != nil {
		return nil, err
	}
	if err := db.sql.PingContext(ctx); err != nil {
		_ = db.sql.Close()
		return nil, fmt.Errorf("bmdb: connect to %s: %w", d.name, err)
	}
	if err := db.migrate(ctx); err != nil {
		_ = db.sql.Close()
		return nil, err
	}
	return db, nil
}

// connect makes the connection pool; it does no I/O.
func (db *DB) connect(source string) (*sql.DB, error) {
	if db.d.name == "sqlite" {
		conn, err := sql.Open(db.d.driver, source)
		if err != nil {
			return nil, fmt.Errorf("bmdb: open sqlite: %w", err)
		}
		conn.SetMaxOpenConns(1) // one writer: transactions queue in-process, not on SQLITE_BUSY
		return conn, nil
	}
	cfg, err := pgConfig(source, db.ttl)
	if err != nil {
		return nil, err
	}
	conn := sql.OpenDB(newConnector(stdlib.GetConnector(*cfg), cfg.ConnectTimeout))
	// Few connections: the workers of a source share its claims and its group commits, and
	// after a restart of the server every process connects again at once.
	conn.SetMaxOpenConns(16)
	conn.SetMaxIdleConns(16)
	return conn, nil
}

// Close closes the connections. It does not end sessions: see [Session.Close].
func (db *DB) Close() error { return db.sql.Close() }

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

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

func rowsAffected(res sql.Result) int {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return int(n)
}
