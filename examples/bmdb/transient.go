package bmdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadfast-go/steadfast/backoff"
)

// Transient reports whether err is a database error that a retry may cure: the server went
// away, is restarting or refuses connections for now (connection refused or reset, an
// unexpected end of the stream, SQLSTATE class 08, 57P01-57P03, 53300), a wait ran out (a
// timeout of the connection or of the context of one attempt, lock_timeout 55P03,
// statement_timeout 57014, idle_in_transaction_session_timeout 25P03), or PostgreSQL aborted
// a transaction to break a deadlock or a serialization conflict (40P01, 40001). The package
// retries these everywhere (claims, reports, heartbeats, session opens), and never takes one
// for a reason to give up. nil is not transient.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var pe interface{ SQLState() string }
	if errors.As(err, &pe) {
		return transientState(pe.SQLState())
	}
	var se interface{ Code() int }
	if errors.As(err, &se) { // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes
		return se.Code()&0xff == 5 || se.Code()&0xff == 6
	}
	for _, target := range []error{driver.ErrBadConn, sql.ErrConnDone, io.EOF, io.ErrUnexpectedEOF,
		pgconn.ErrConnClosed, context.DeadlineExceeded, backoff.ErrAttemptTimeout, syscall.ECONNREFUSED,
		syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH} {
		if errors.Is(err, target) {
			return true
		}
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// transientState reports whether a PostgreSQL SQLSTATE is one of [Transient]'s.
func transientState(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
		"53300",          // too_many_connections
		"55P03", "57014", // lock_not_available (lock_timeout), query_canceled (statement_timeout)
		"25P03", "57P05", // idle_in_transaction_session_timeout, idle_session_timeout
		"40001", "40P01": // serialization_failure, deadlock_detected
		return true
	}
	return strings.HasPrefix(code, "08") // connection_exception and its subclasses
}

// retryTransient runs op until it succeeds, fails with an error that is not [Transient], or
// ctx ends, waiting out p between attempts. It returns the error that is not transient, a
// *backoff.ExhaustedError when p's budget is spent, or ctx's cause. Each attempt bounds its
// own waits (see [bounded]).
func retryTransient[T any](ctx context.Context, p backoff.Policy, op func(ctx context.Context) (T, error), opts ...backoff.Option) (T, error) {
	v, err := backoff.RetryValue(ctx, p, func(ctx context.Context) (T, error) {
		v, err := op(ctx)
		if err != nil && !Transient(err) {
			return v, backoff.Permanent(err)
		}
		return v, err
	}, opts...)
	if err != nil && ctx.Err() != nil {
		return v, context.Cause(ctx)
	}
	return v, err
}

// bounded runs op with a context that ends after d, so that a database that stops answering
// (a host gone with its connection open) is given up on; the error is then transient.
func bounded[T any](ctx context.Context, d time.Duration, op func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, d, backoff.ErrAttemptTimeout)
	defer cancel()
	return op(ctx)
}
