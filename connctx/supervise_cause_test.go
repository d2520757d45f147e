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

var errUnavailable = errors.New("rpc: unavailable")

// loseSoon moves conn out of READY after d, from a goroutine of its own: what gRPC does a
// moment after an RPC on the connection failed, when its balancer gets round to it.
func loseSoon(conn *conntest.Conn, d time.Duration) {
	go func() {
		time.Sleep(d)
		conn.Set(conntest.TransientFailure)
	}()
}

// causeRun runs Supervise over a first session that notices the loss itself, through
// notice, and a second one that stops it. It returns the first loss's cause and the cause the
// first session's worker saw.
func causeRun(t *testing.T, notice func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error) (lost, seen error) {
	seenc := make(chan error, 1)
	n := 0
	session := func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
		if n++; n == 2 {
			return backoff.Permanent(errDone)
		}
		g.Go(func() error { <-ctx.Done(); seenc <- context.Cause(ctx); return nil })
		return notice(ctx, conn, g)
	}
	rec := &recorder{}
	err := connctx.Supervise(t.Context(), conntest.NewDialer(0, nil).Dial, readyLifetime, session, rec.options()...)
	require.ErrorIs(t, err, errDone)
	require.NotEmpty(t, rec.lost)
	return rec.lost[0].Cause, <-seenc
}

func TestSuperviseReportsTheLossAsTheCauseWhicheverGoroutineNoticedFirst(t *testing.T) {
	tests := []struct {
		name       string
		notice     func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error
		workerSees error // what the worker sees as its context's cause
	}{
		{"the session's RPC failed first", func(_ context.Context, conn *conntest.Conn, _ *errgroup.Group) error {
			loseSoon(conn, time.Millisecond)
			return errUnavailable
		}, connctx.ErrConnLost},
		{"the session returned nil as the connection went", func(_ context.Context, conn *conntest.Conn, _ *errgroup.Group) error {
			loseSoon(conn, time.Millisecond)
			return nil
		}, connctx.ErrConnLost},
		{"the loss came just within the grace", func(_ context.Context, conn *conntest.Conn, _ *errgroup.Group) error {
			loseSoon(conn, 100*time.Millisecond-time.Nanosecond)
			return errUnavailable
		}, connctx.ErrConnLost},
		{"a goroutine's RPC failed first", func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { loseSoon(conn, time.Millisecond); return errUnavailable })
			<-ctx.Done()
			return ctx.Err()
		}, errUnavailable}, // errgroup ended the context with it before anyone knew
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				lost, seen := causeRun(t, tt.notice)
				assert.ErrorIs(t, lost, connctx.ErrConnLost, "OnLost reports the loss, not %v", lost)
				assert.ErrorIs(t, seen, tt.workerSees)
			})
		})
	}
}

func TestSuperviseReportsTheSessionsErrorWhenTheConnectionStaysUp(t *testing.T) {
	tests := []struct {
		name     string
		lossDue  time.Duration // zero: never lost
		wantWait time.Duration // from the session's return to OnLost
	}{
		{"the connection stays up", 0, 100 * time.Millisecond},
		{"the loss came after the grace", 100*time.Millisecond + time.Nanosecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var returned time.Time
				var waited time.Duration
				n := 0
				session := func(_ context.Context, conn *conntest.Conn, _ *errgroup.Group) error {
					if n++; n == 2 {
						return backoff.Permanent(errDone)
					}
					if tt.lossDue > 0 {
						loseSoon(conn, tt.lossDue)
					}
					returned = time.Now()
					return errUnavailable
				}
				rec := &recorder{onLost: func(connctx.Lost) {
					if waited == 0 {
						waited = time.Since(returned)
					}
				}}
				err := connctx.Supervise(t.Context(), conntest.NewDialer(0, nil).Dial, readyLifetime, session,
					append(rec.options(), connctx.WithRestartPolicy(fixed(time.Second)))...)
				require.ErrorIs(t, err, errDone)
				assert.ErrorIs(t, rec.lost[0].Cause, errUnavailable)
				assert.Equal(t, tt.wantWait, waited, "the wait for a loss is bounded")
			})
		})
	}
}

func TestSuperviseEndsTheSessionsContextWithTheCauseWhenTheSessionReturns(t *testing.T) {
	tests := []struct {
		name string
		serr error
		want error
	}{
		{"an error", errUnavailable, errUnavailable},
		{"nil", nil, connctx.ErrSessionEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				lost, seen := causeRun(t, func(context.Context, *conntest.Conn, *errgroup.Group) error { return tt.serr })
				assert.ErrorIs(t, lost, tt.want)
				assert.ErrorIs(t, seen, tt.want, "the worker waiting on the context sees why it ended")
			})
		})
	}
}
