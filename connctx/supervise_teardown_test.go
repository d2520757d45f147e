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

// oddDialer dials oddClosers over a conntest dialer, with the given close behaviour.
func oddDialer(d *conntest.Dialer, release chan struct{}, err error) connctx.DialFunc[*oddCloser] {
	return func(ctx context.Context) (*oddCloser, error) {
		conn, derr := d.Dial(ctx)
		if derr != nil {
			return nil, derr
		}
		return &oddCloser{Conn: conn, release: release, err: err}, nil
	}
}

var oddLifetime = connctx.StateLifetime[*oddCloser](conntest.Ready)

func TestSuperviseWaitsForABlockingCloseBeforeTheNextDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		release := make(chan struct{})
		n := 0
		session := func(context.Context, *oddCloser, *errgroup.Group) error {
			if n++; n == 2 {
				return backoff.Permanent(errDone)
			}
			return nil
		}
		done := make(chan error)
		go func() {
			done <- connctx.Supervise(t.Context(), oddDialer(dialer, release, nil), oddLifetime, session,
				connctx.WithRestartPolicy(fixed(time.Millisecond)))
		}()
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, 1, dialer.Dials(), "no dial while the last connection's Close runs")
		release <- struct{}{}
		close(release)
		assert.ErrorIs(t, <-done, errDone)
		assert.Equal(t, 1, dialer.MaxOpen())
	})
}

func TestSuperviseCarriesOnAfterACloseError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		n := 0
		session := func(context.Context, *oddCloser, *errgroup.Group) error {
			if n++; n == 3 {
				return backoff.Permanent(errDone)
			}
			return nil
		}
		err := connctx.Supervise(t.Context(), oddDialer(dialer, nil, errors.New("close: broken pipe")),
			oddLifetime, session)
		assert.ErrorIs(t, err, errDone, "a close error changes nothing")
		assert.Equal(t, 3, dialer.Closes(), "each connection was closed once")
	})
}

func TestSuperviseFinishesItsTeardownWhenItsContextEndsDuringIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		ctx, stop := context.WithCancelCause(t.Context())
		release := make(chan struct{})
		session := func(_ context.Context, conn *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { // a goroutine slow to finish, whatever its context says
				<-release
				assert.False(t, conn.Closed(), "not closed under a goroutine still running")
				return nil
			})
			return nil
		}
		done := make(chan error)
		go func() { done <- connctx.Supervise(ctx, dialer.Dial, readyLifetime, session) }()
		synctest.Wait() // in teardown, waiting for the goroutine
		stop(errStop)
		synctest.Wait()
		assert.Zero(t, dialer.Closes(), "still waiting for the goroutine")
		close(release)
		assert.NoError(t, <-done, "Supervise returns nil when its context ends")
		assert.Equal(t, 1, dialer.Dials(), "no dial after the context ended")
		assert.Zero(t, dialer.Open())
	})
}

func TestSuperviseStopsWhenItsContextEndsDuringTheRestartDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		ctx, stop := context.WithCancelCause(t.Context())
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error {
			time.AfterFunc(time.Second, func() { stop(errStop) }) // within the minute's delay
			return nil
		}
		start := time.Now()
		err := connctx.Supervise(ctx, dialer.Dial, readyLifetime, session, connctx.WithRestartPolicy(fixed(time.Minute)))
		assert.NoError(t, err, "Supervise returns nil when its context ends")
		assert.Equal(t, time.Second, time.Since(start), "it did not sleep out the delay")
		assert.Equal(t, 1, dialer.Dials())
	})
}

func TestSuperviseEndsTheSessionWithItsContextEvenIfTheLifetimeDoesNotDeriveFromIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancelCause(t.Context())
		unrelated := func(context.Context, *conntest.Conn) (context.Context, context.CancelFunc, error) {
			lctx, cancel := context.WithCancel(context.Background())
			return lctx, cancel, nil
		}
		session := func(sctx context.Context, _ *conntest.Conn, _ *errgroup.Group) error {
			stop(errStop)
			<-sctx.Done()
			assert.ErrorIs(t, context.Cause(sctx), errStop)
			return nil
		}
		err := connctx.Supervise(ctx, conntest.NewDialer(0, nil).Dial, unrelated, session)
		assert.NoError(t, err, "Supervise returns nil when its context ends")
	})
}

func TestSuperviseTreatsNilHooksAndOptionsAsAbsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(1, nil)
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, stopAtSession(2), nil,
			connctx.WithHooks(connctx.Hooks{OnConnected: nil}), connctx.WithHooks(connctx.Hooks{OnLost: nil}), connctx.WithHooks(connctx.Hooks{OnDialError: nil}), nil)
		assert.ErrorIs(t, err, errDone)
		assert.Equal(t, 3, dialer.Dials())
	})
}

func TestSuperviseRejectsANilContext(t *testing.T) {
	dialer := conntest.NewDialer(0, nil)
	var err error
	//lint:ignore SA1012 a nil context is the bad input under test
	require.NotPanics(t, func() { err = connctx.Supervise(nil, dialer.Dial, readyLifetime, stopAtSession(1)) })
	assert.ErrorIs(t, err, connctx.ErrInvalid)
	assert.Zero(t, dialer.Dials())
}

func TestSuperviseHealthyAfterZeroCountsEverySessionHealthy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		n := 0
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error {
			if n++; n == 4 {
				return backoff.Permanent(errDone)
			}
			return nil
		}
		err := connctx.Supervise(t.Context(), conntest.NewDialer(0, nil).Dial, readyLifetime, session,
			append(rec.options(), connctx.WithRestartPolicy(fixed(time.Second)), connctx.WithHealthyAfter(0))...)
		assert.ErrorIs(t, err, errDone)
		assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second, 0}, rec.delays(), "never growing")
	})
}
