package bmdb_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

func TestTransientTellsConnectionClassErrorsFromTheOthers(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("claim: %w", &pgconn.PgError{Code: code}) }
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "x"}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", fmt.Errorf("connect: %w", syscall.ECONNREFUSED), true},
		{"connection reset", syscall.ECONNRESET, true},
		{"a network error", refused, true},
		{"an unexpected end of the stream", io.ErrUnexpectedEOF, true},
		{"a bad connection", driver.ErrBadConn, true},
		{"a connection already closed", sql.ErrConnDone, true},
		{"a deadline", context.DeadlineExceeded, true},
		{"admin shutdown 57P01", pg("57P01"), true},
		{"crash shutdown 57P02", pg("57P02"), true},
		{"cannot connect now 57P03", pg("57P03"), true},
		{"connection failure 08006", pg("08006"), true},
		{"too many connections 53300", pg("53300"), true},
		{"lock timeout 55P03", pg("55P03"), true},
		{"statement timeout 57014", pg("57014"), true},
		{"idle in transaction timeout 25P03", pg("25P03"), true},
		{"deadlock 40P01", pg("40P01"), true},
		{"serialization failure 40001", pg("40001"), true},
		{"syntax error 42601", pg("42601"), false},
		{"unique violation 23505", pg("23505"), false},
		{"no rows", sql.ErrNoRows, false},
		{"an expired session", bmdb.ErrSessionExpired, false},
		{"a lost lease", bmdb.ErrLeaseLost, false},
		{"the caller's own cancel", context.Canceled, false},
		{"anything else", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bmdb.Transient(tt.err))
		})
	}
}
