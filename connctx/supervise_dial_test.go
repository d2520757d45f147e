package connctx_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

var errFlaky = errors.New("dial: handshake failed")

// stopAtSession returns a session that returns a Permanent errDone in session n, and nil
// before that.
func stopAtSession(n int) connctx.SessionFunc[*conntest.Conn] {
	count := 0
	return func(context.Context, *conntest.Conn, *errgroup.Group) error {
		if count++; count == n {
			return backoff.Permanent(errDone)
		}
		return nil
	}
}

func TestSuperviseRetriesADialThatReturnsNeitherAConnectionNorAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		calls := 0
		dial := func(ctx context.Context) (*conntest.Conn, error) {
			if calls++; calls <= 2 {
				return nil, nil // a typed nil *conntest.Conn, as a nil *grpc.ClientConn would be
			}
			return dialer.Dial(ctx)
		}
		rec := &recorder{}
		err := connctx.Supervise(t.Context(), dial, readyLifetime, stopAtSession(1),
			append(rec.options(), connctx.WithDialPolicy(fixed(time.Second)))...)
		assert.ErrorIs(t, err, errDone, "the third dial connected and the session ran")
		require.Len(t, rec.dialErrs, 2, "each empty dial is a failed attempt")
		for _, e := range rec.dialErrs {
			assert.ErrorIs(t, e.Err, connctx.ErrInvalid)
			assert.ErrorContains(t, e.Err, "nil connection")
		}
	})
}

func TestSuperviseReturnsWhenTheDialBudgetIsSpentOnEmptyDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dial := func(context.Context) (*conntest.Conn, error) { return nil, nil }
		p := fixed(time.Second)
		p.MaxAttempts = 3
		err := connctx.Supervise(t.Context(), dial, readyLifetime, stopAtSession(1), connctx.WithDialPolicy(p))
		assert.ErrorIs(t, err, backoff.ErrMaxAttempts)
		assert.ErrorIs(t, err, connctx.ErrInvalid, "the last dial error says what was wrong")
	})
}

func TestSuperviseClosesAConnectionTheDialReturnedWithAnError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error // what Supervise returns
	}{
		{"retried error", errFlaky, errDone},
		{"permanent error", backoff.Permanent(errFlaky), errFlaky},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				dialer := conntest.NewDialer(0, nil)
				dial := func(ctx context.Context) (*conntest.Conn, error) {
					conn, err := dialer.Dial(ctx)
					if dialer.Dials() == 1 {
						return conn, tt.err // half open: a connection and an error
					}
					return conn, err
				}
				err := connctx.Supervise(t.Context(), dial, readyLifetime, stopAtSession(1),
					connctx.WithDialPolicy(fixed(time.Second)))
				assert.ErrorIs(t, err, tt.want)
				assert.Equal(t, 1, dialer.Conns()[0].Closes(), "the connection that came with the error was closed once")
				assert.Zero(t, dialer.Open(), "no connection is left open")
			})
		})
	}
}

func TestSuperviseClosesAConnectionDialledAsItsContextEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		ctx, stop := context.WithCancelCause(t.Context())
		dial := func(dctx context.Context) (*conntest.Conn, error) {
			stop(errStop)
			<-dctx.Done()
			return dialer.Dial(context.Background()) // a dial that finished anyway
		}
		err := connctx.Supervise(ctx, dial, readyLifetime, stopAtSession(1))
		assert.NoError(t, err, "Supervise returns nil when its context ends")
		assert.Equal(t, 1, dialer.Closes(), "nobody uses it: it was closed")
	})
}

func TestSuperviseStopsWhenItsContextEndsDuringADial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancelCause(t.Context())
		dials := 0
		dial := func(dctx context.Context) (*conntest.Conn, error) {
			dials++
			time.AfterFunc(time.Second, func() { stop(errStop) })
			<-dctx.Done()
			return nil, context.Cause(dctx)
		}
		err := connctx.Supervise(ctx, dial, readyLifetime, stopAtSession(1))
		assert.NoError(t, err, "Supervise returns nil when its context ends")
		assert.Equal(t, 1, dials, "no dial after the context ended")
	})
}

func TestSuperviseDialTimeoutZeroMeansNone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		slow := func(ctx context.Context) (*conntest.Conn, error) {
			time.Sleep(time.Hour)
			return dialer.Dial(ctx)
		}
		err := connctx.Supervise(t.Context(), slow, readyLifetime, stopAtSession(1), connctx.WithDialTimeout(0))
		assert.ErrorIs(t, err, errDone, "an hour-long dial was not cut short")
	})
}

func TestSuperviseStopsOnAPermanentErrorFromASessionGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		session := func(ctx context.Context, _ *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { return backoff.Permanent(errDone) })
			<-ctx.Done()
			return nil
		}
		budget := fixed(time.Second)
		budget.MaxAttempts = 2 // so that a Permanent error ignored fails fast
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session, connctx.WithRestartPolicy(budget))
		assert.ErrorIs(t, err, errDone)
		assert.NotErrorIs(t, err, backoff.ErrExhausted)
		assert.Equal(t, 1, dialer.Dials())
	})
}

func TestSuperviseHonoursARetryAfterHintFromDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(1, backoff.RetryAfter(5*time.Second, errFlaky))
		start := time.Now()
		var connectedAt time.Duration
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error {
			connectedAt = time.Since(start)
			return backoff.Permanent(errDone)
		}
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session,
			connctx.WithDialPolicy(fixed(100*time.Millisecond)))
		assert.ErrorIs(t, err, errDone)
		assert.Equal(t, 5*time.Second, connectedAt, "the server's hint, not the policy's 100 ms")
	})
}

func TestSuperviseDialTimeoutEndsASlowDialAsAFailedAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		dial := func(ctx context.Context) (*conntest.Conn, error) {
			if dialer.Dials() == 0 {
				<-ctx.Done() // a dial that hangs until its attempt times out
				_, _ = dialer.Dial(ctx)
				return nil, context.Cause(ctx)
			}
			return dialer.Dial(ctx)
		}
		rec := &recorder{}
		err := connctx.Supervise(t.Context(), dial, readyLifetime, stopAtSession(1),
			append(rec.options(), connctx.WithDialTimeout(time.Second), connctx.WithDialPolicy(fixed(time.Second)))...)
		assert.ErrorIs(t, err, errDone, "the second attempt connected")
		require.Len(t, rec.dialErrs, 1)
		assert.ErrorIs(t, rec.dialErrs[0].Err, backoff.ErrAttemptTimeout)
	})
}
