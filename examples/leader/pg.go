package leader

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
)

// DB is what a [PGLock] needs of PostgreSQL: a *pgxpool.Pool (a single *pgx.Conn is not safe
// for the concurrent calls a Leader makes).
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PGTable is the table a [PGLock] keeps its leases in; [PGLock.CreateTable] makes it.
const PGTable = "steadfast_leases"

// PGLock is a [connctx.Lock] over one row of [PGTable]: the lease's name, its holder, its
// fencing token and its expiry, computed by the database's clock (now() plus the claim's
// duration), so that the replicas' clocks do not matter. Each method is one statement, bounded
// by its context. Safe for concurrent use.
type PGLock struct {
	db   DB
	name string
}

var _ connctx.Lock = (*PGLock)(nil)

// NewPGLock returns the lock of the lease called name in db. It does no I/O.
func NewPGLock(db DB, name string) (*PGLock, error) {
	if db == nil || name == "" {
		return nil, fmt.Errorf("leader: NewPGLock needs a database and a lease name")
	}
	return &PGLock{db: db, name: name}, nil
}

// CreateTable creates [PGTable] if it does not exist; replicas may call it at the same time.
func (l *PGLock) CreateTable(ctx context.Context) error {
	_, err := l.db.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+PGTable+` (
		name    text PRIMARY KEY,
		holder  text NOT NULL DEFAULT '',
		token   bigint NOT NULL DEFAULT 0,
		expires timestamptz NOT NULL DEFAULT '-infinity')`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07") {
		return nil // another replica created it at the same moment (IF NOT EXISTS does not cover the race)
	}
	return pgError("create table", err)
}

// The statements return the row as it is after them. A data-modifying CTE's outer SELECT sees
// the table as it was before the statement, so the row is read from the CTE when it changed
// and from the table when it did not.
const (
	// acquire takes the lease if it is free, has expired, or is the claimant's; the token
	// grows unless the claimant holds it still.
	pgAcquire = `WITH up AS (
		INSERT INTO ` + PGTable + ` AS l (name, holder, token, expires)
		VALUES ($1, $2, 1, now() + $3::float8 * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET
			token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires > now() THEN l.token ELSE l.token + 1 END,
			holder = EXCLUDED.holder, expires = EXCLUDED.expires
		WHERE l.holder = EXCLUDED.holder OR l.holder = '' OR l.expires <= now()
		RETURNING holder, token)
	SELECT holder, token FROM up
	UNION ALL SELECT holder, token FROM ` + PGTable + ` WHERE name = $1 AND NOT EXISTS (SELECT FROM up)`
	// renew extends the lease if it is held with the token, expired or not (nobody took it).
	pgRenew = `WITH up AS (
		UPDATE ` + PGTable + ` SET expires = now() + $4::float8 * interval '1 microsecond'
		WHERE name = $1 AND holder = $2 AND token = $3 AND holder <> ''
		RETURNING holder, token)
	SELECT holder, token FROM up
	UNION ALL SELECT holder, token FROM ` + PGTable + ` WHERE name = $1 AND NOT EXISTS (SELECT FROM up)`
	// release frees the lease if it is held with the token; the token stays, so the next
	// holder's is larger.
	pgRelease = `WITH up AS (
		UPDATE ` + PGTable + ` SET holder = '', expires = '-infinity'
		WHERE name = $1 AND holder = $2 AND token = $3 AND holder <> ''
		RETURNING ''::text AS holder, token)
	SELECT holder, token FROM up
	UNION ALL SELECT holder, token FROM ` + PGTable + ` WHERE name = $1 AND NOT EXISTS (SELECT FROM up)`
)

// Acquire takes the lease for c.Identity if it is free, has expired by the database's clock,
// or is c.Identity's; otherwise it returns the holder.
func (l *PGLock) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	return l.query(ctx, "acquire", pgAcquire, l.name, c.Identity, c.Duration.Microseconds())
}

// Renew extends the lease for c.Duration from the database's now() if it is held as h.
func (l *PGLock) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	return l.query(ctx, "renew", pgRenew, l.name, h.Identity, int64(h.Token), c.Duration.Microseconds())
}

// Release frees the lease if it is held as h.
func (l *PGLock) Release(ctx context.Context, _ connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	return l.query(ctx, "release", pgRelease, l.name, h.Identity, int64(h.Token))
}

// query runs one statement and returns the holder it reports; no row is nobody.
func (l *PGLock) query(ctx context.Context, op, sql string, args ...any) (connctx.Holder, error) {
	var (
		holder string
		token  int64
	)
	err := l.db.QueryRow(ctx, sql, args...).Scan(&holder, &token)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return connctx.Holder{}, nil
	case err != nil:
		return connctx.Holder{}, pgError(op, err)
	case holder == "":
		return connctx.Holder{}, nil
	}
	return connctx.Holder{Identity: holder, Token: uint64(token)}, nil
}

// pgError wraps err, and makes it [backoff.Permanent] when PostgreSQL answered with an error
// that another try will not change (a missing table, a bad value, no permission). Connection
// errors, timeouts and the server's shutdown, overload and serialization errors stay
// retryable.
func pgError(op string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("leader: postgres %s: %w", op, err)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || retryableSQLState(pe.Code) {
		return err
	}
	return backoff.Permanent(err)
}

// retryableSQLState reports whether an SQLSTATE is worth another try: class 08 (connection
// exception), 40 (transaction rollback: serialization, deadlock), 53 (insufficient
// resources), 57P (operator intervention: shutdown, cannot connect now), 58 (system error),
// and the server's timeouts: 57014 (statement_timeout), 55P03 (lock_timeout), 25P03
// (idle_in_transaction_session_timeout), as bmdb.Transient counts them too.
func retryableSQLState(code string) bool {
	switch code {
	case "57014", "55P03", "25P03":
		return true
	}
	for _, p := range []string{"08", "40", "53", "57P", "58"} {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}
