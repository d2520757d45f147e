package connctx_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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

var (
	errStop = errors.New("supervisor stopped")
	errDone = errors.New("done")
)

// fixed is a restart or dial policy with exact delays: initial, doubling, no jitter, no budget.
func fixed(initial time.Duration) backoff.Policy {
	return backoff.Policy{Initial: initial, Max: time.Hour, Jitter: backoff.NoJitter, MaxElapsed: backoff.Forever}
}

var readyLifetime = connctx.StateLifetime[*conntest.Conn](conntest.Ready)

// recorder collects the hooks' reports.
type recorder struct {
	mu        sync.Mutex
	connected []int
	lost      []connctx.Lost
	dialErrs  []backoff.Retrying
	onLost    func(connctx.Lost) // an extra check, if set
}

func (r *recorder) options() []connctx.Option {
	return []connctx.Option{
		connctx.WithHooks(connctx.Hooks{OnConnected: func(c connctx.Connected) { r.mu.Lock(); r.connected = append(r.connected, c.Session); r.mu.Unlock() }}),
		connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) {
			if r.onLost != nil {
				r.onLost(l)
			}
			r.mu.Lock()
			r.lost = append(r.lost, l)
			r.mu.Unlock()
		}}),

		connctx.WithHooks(connctx.Hooks{OnDialError: func(e backoff.Retrying) { r.mu.Lock(); r.dialErrs = append(r.dialErrs, e); r.mu.Unlock() }}),
	}
}

func (r *recorder) delays() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d []time.Duration
	for _, l := range r.lost {
		d = append(d, l.Delay)
	}
	return d
}

func TestSuperviseTearsDownInOrderAndRestartsFromACleanSlate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		var running atomic.Int32 // session goroutines alive
		var sessions []*conntest.Conn
		rec := &recorder{onLost: func(connctx.Lost) {
			assert.Zero(t, running.Load(), "every session goroutine ended before OnLost")
			assert.True(t, dialer.Last().Closed(), "the connection is closed before OnLost")
		}}
		session := func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
			sessions = append(sessions, conn)
			for range 2 {
				running.Add(1)
				g.Go(func() error {
					defer running.Add(-1)
					<-ctx.Done()
					assert.False(t, conn.Closed(), "a goroutine ends before its connection is closed")
					return nil
				})
			}
			<-ctx.Done()
			return ctx.Err()
		}
		ctx, stop := context.WithCancelCause(t.Context())
		done := make(chan error)
		go func() {
			done <- connctx.Supervise(ctx, dialer.Dial, readyLifetime, session,
				append(rec.options(), connctx.WithRestartPolicy(fixed(time.Second)))...)
		}()
		synctest.Wait()
		require.Len(t, sessions, 1)

		dialer.Last().Set(conntest.TransientFailure) // lose the connection
		synctest.Wait()
		assert.Equal(t, 1, dialer.Closes(), "the lost connection was closed")
		assert.Equal(t, 1, dialer.Dials(), "no dial during the restart delay")
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, sessions, 2)
		assert.NotSame(t, sessions[0], sessions[1], "the new session runs on a new connection")
		assert.Equal(t, int32(2), running.Load())

		stop(errStop)
		assert.NoError(t, <-done, "Supervise returns nil when its context ends")
		assert.Equal(t, 2, dialer.Dials())
		assert.Equal(t, 0, dialer.Open(), "no connection is left open")
		assert.Equal(t, 1, dialer.MaxOpen(), "each connection was closed before the next dial")
		for _, c := range dialer.Conns() {
			assert.Equal(t, 1, c.Closes(), "each connection was closed exactly once")
		}
		assert.Equal(t, []int{1, 2}, rec.connected)
		require.Len(t, rec.lost, 2)
		assert.ErrorIs(t, rec.lost[0].Cause, connctx.ErrConnLost)
		assert.ErrorIs(t, rec.lost[1].Cause, errStop)
		assert.Equal(t, []time.Duration{time.Second, 0}, rec.delays())
	})
}

func TestSuperviseAFailingSessionGoroutineEndsTheSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBoom := errors.New("boom")
		dialer := conntest.NewDialer(0, nil)
		n := 0
		session := func(ctx context.Context, _ *conntest.Conn, g *errgroup.Group) error {
			n++
			if n == 2 {
				return backoff.Permanent(errDone)
			}
			g.Go(func() error { time.Sleep(time.Second); return errBoom })
			<-ctx.Done()
			return nil
		}
		rec := &recorder{}
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session, rec.options()...)
		assert.ErrorIs(t, err, errDone)
		require.NotEmpty(t, rec.lost)
		assert.ErrorIs(t, rec.lost[0].Cause, errBoom)
		assert.Equal(t, time.Second, rec.lost[0].Uptime)
	})
}

func TestSuperviseRestartsWhenAProbeLifetimeSeesTheConnectionLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		probe := conntest.NewProbe()
		lifetime := func(ctx context.Context, _ *conntest.Conn) (context.Context, context.CancelFunc, error) {
			return connctx.WithProbe(ctx, probe, connctx.WithProbeInterval(time.Second), connctx.WithProbeThreshold(2))
		}
		n := 0
		session := func(ctx context.Context, _ *conntest.Conn, _ *errgroup.Group) error {
			n++
			if n == 2 {
				return backoff.Permanent(errDone)
			}
			probe.Fail(errPing)
			<-ctx.Done()
			probe.Pass()
			return ctx.Err()
		}
		rec := &recorder{}
		err := connctx.Supervise(t.Context(), dialer.Dial, lifetime, session, rec.options()...)
		assert.ErrorIs(t, err, errDone)
		assert.ErrorIs(t, rec.lost[0].Cause, connctx.ErrConnLost)
		assert.ErrorIs(t, rec.lost[0].Cause, errPing)
		assert.Equal(t, 2*time.Second, rec.lost[0].Uptime)
	})
}

func TestSuperviseStopsAndClosesTheConnectionWhenTheLifetimeFails(t *testing.T) {
	tests := []struct {
		name     string
		lifetime connctx.LifetimeFunc[*conntest.Conn]
	}{
		{"invalid probe option", func(ctx context.Context, _ *conntest.Conn) (context.Context, context.CancelFunc, error) {
			return connctx.WithProbe(ctx, conntest.NewProbe(), connctx.WithProbeThreshold(0))
		}},
		{"nil context and cancel", func(context.Context, *conntest.Conn) (context.Context, context.CancelFunc, error) {
			return nil, nil, nil // a broken lifetime, on purpose
		}},
		{"typed nil context", func(context.Context, *conntest.Conn) (context.Context, context.CancelFunc, error) {
			var ctx *typedNilContext
			return ctx, func() {}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialer := conntest.NewDialer(0, nil)
			session := func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
			err := connctx.Supervise(t.Context(), dialer.Dial, tt.lifetime, session)
			assert.ErrorIs(t, err, connctx.ErrInvalid)
			assert.Equal(t, 1, dialer.Closes(), "the connection was closed")
		})
	}
}

// typedNilContext is a context type whose nil pointer a broken lifetime may return.
type typedNilContext struct{ context.Context }

func TestSuperviseWithAnEndedContextDialsNothing(t *testing.T) {
	ctx, stop := context.WithCancelCause(t.Context())
	stop(errStop)
	dialer := conntest.NewDialer(0, nil)
	session := func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
	err := connctx.Supervise(ctx, dialer.Dial, readyLifetime, session)
	assert.NoError(t, err, "Supervise returns nil when its context ends")
	assert.Zero(t, dialer.Dials())
}

func TestSuperviseRejectsBadInputWithAnError(t *testing.T) {
	dialer := conntest.NewDialer(0, nil)
	session := func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
	tests := []struct {
		name     string
		dial     connctx.DialFunc[*conntest.Conn]
		lifetime connctx.LifetimeFunc[*conntest.Conn]
		session  connctx.SessionFunc[*conntest.Conn]
		opts     []connctx.Option
	}{
		{"nil dial", nil, readyLifetime, session, nil},
		{"nil lifetime", dialer.Dial, nil, session, nil},
		{"nil session", dialer.Dial, readyLifetime, nil, nil},
		{"invalid dial policy", dialer.Dial, readyLifetime, session,
			[]connctx.Option{connctx.WithDialPolicy(backoff.Policy{Multiplier: 0.5})}},
		{"invalid restart policy", dialer.Dial, readyLifetime, session,
			[]connctx.Option{connctx.WithRestartPolicy(backoff.Policy{Initial: -1})}},
		{"negative HealthyAfter", dialer.Dial, readyLifetime, session,
			[]connctx.Option{connctx.WithHealthyAfter(-time.Second)}},
		{"negative DialTimeout", dialer.Dial, readyLifetime, session,
			[]connctx.Option{connctx.WithDialTimeout(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := connctx.Supervise(t.Context(), tt.dial, tt.lifetime, tt.session, tt.opts...)
			assert.ErrorIs(t, err, connctx.ErrInvalid)
		})
	}
	assert.Zero(t, dialer.Dials(), "nothing was dialled")
}
