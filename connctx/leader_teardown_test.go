package connctx_test

import (
	"context"
	"errors"
	"sync"
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

// orderLock records a release in the same log as the session's events.
type orderLock struct {
	*conntest.Lock
	mu  *sync.Mutex
	log *[]string
}

func (o *orderLock) Release(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	o.mu.Lock()
	*o.log = append(*o.log, "release")
	o.mu.Unlock()
	return o.Lock.Release(ctx, c, h)
}

func TestTheLeaseIsReleasedAfterTheSessionAndItsGoroutinesReturned(t *testing.T) {
	for _, end := range []string{"run's context ends", "the lease is lost", "the session returns"} {
		t.Run(end, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var log []string
				note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
				lock := &orderLock{Lock: conntest.NewLock(), mu: &mu, log: &log}
				started := make(chan struct{})
				session := func(ctx context.Context, _ connctx.Lease, g *errgroup.Group) error {
					g.Go(func() error {
						<-ctx.Done()
						time.Sleep(time.Second) // a worker slow to stop
						note("worker returned")
						return nil
					})
					close(started)
					if end == "the session returns" {
						return backoff.Permanent(errors.New("done"))
					}
					<-ctx.Done()
					note("session returned")
					return backoff.Permanent(errors.New("done"))
				}
				_, stop := runLeader(t, lock, session, timings("me")...)
				<-started
				switch end {
				case "run's context ends":
					go func() { _ = stop() }()
				case "the lease is lost":
					lock.FailNext(1000, nil)
				}
				time.Sleep(time.Minute)
				_ = stop()
				mu.Lock()
				defer mu.Unlock()
				require.NotEmpty(t, log)
				assert.Equal(t, "release", log[len(log)-1], "released last: %v", log)
				assert.Contains(t, log, "worker returned")
			})
		})
	}
}

func TestSuperviseOptionsApplyToTheLeaderWithTheLeasesMeaning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		lock.Take("other", time.Hour)
		var dialErrs int
		l, err := connctx.NewLeader(lock, (&terms{}).session(), append(timings("me"),
			connctx.WithDialPolicy(backoff.Policy{Initial: time.Second, MaxAttempts: 3}),
			connctx.WithHooks(connctx.Hooks{OnDialError: func(backoff.Retrying) { dialErrs++ }}))...)
		require.NoError(t, err)
		err = l.Run(t.Context())
		assert.ErrorIs(t, err, backoff.ErrExhausted, "the acquire budget is spent")
		assert.ErrorIs(t, err, connctx.ErrLeaseHeld, "the last attempt found the lease held")
		assert.Equal(t, 2, dialErrs)
		assert.Equal(t, 3, lock.Calls("acquire"))

		lock = conntest.NewLock()
		var events []string
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), append(timings("me"), connctx.WithHooks(connctx.Hooks{
			OnConnected: func(c connctx.Connected) { events = append(events, "connected") },
			OnLost: func(l connctx.Lost) {
				events = append(events, "lost")
				assert.Equal(t, connctx.Holder{}, lock.Holder(), "OnLost comes after the release")
			},
		}))...)
		<-rec.started
		require.NoError(t, stop())
		assert.Equal(t, []string{"connected", "lost"}, events)
	})
}

func TestAPermanentAcquireErrorEndsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		errDenied := errors.New("permission denied")
		lock.FailNext(1, backoff.Permanent(errDenied))
		l, err := connctx.NewLeader(lock, (&terms{}).session(), timings("me")...)
		require.NoError(t, err)
		assert.Equal(t, errDenied, l.Run(t.Context()))
	})
}

func TestAnAcquireThatReturnsNoHolderIsAFailedAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var errs []error
		lock := &noHolder{Lock: conntest.NewLock()}
		l, err := connctx.NewLeader(lock, (&terms{}).session(), append(timings("me"),
			connctx.WithDialPolicy(backoff.Policy{Initial: time.Second, MaxAttempts: 2}),
			connctx.WithHooks(connctx.Hooks{OnDialError: func(r backoff.Retrying) { errs = append(errs, r.Err) }}))...)
		require.NoError(t, err)
		assert.ErrorIs(t, l.Run(t.Context()), backoff.ErrExhausted)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], connctx.ErrInvalid)
	})
}

type noHolder struct{ *conntest.Lock }

func (*noHolder) Acquire(context.Context, connctx.Claim) (connctx.Holder, error) {
	return connctx.Holder{}, nil
}

// panicRenew is a lock whose Renew panics.
type panicRenew struct{ *conntest.Lock }

func (*panicRenew) Renew(context.Context, connctx.Claim, connctx.Holder) (connctx.Holder, error) {
	panic("renew blew up")
}

func TestAPanicInRenewEndsTheSessionAndIsRaisedAgainByRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &panicRenew{Lock: conntest.NewLock()}
		var cause error
		session := func(ctx context.Context, _ connctx.Lease, _ *errgroup.Group) error {
			<-ctx.Done()
			cause = context.Cause(ctx)
			return nil
		}
		l, err := connctx.NewLeader(lock, session, timings("me")...)
		require.NoError(t, err)
		r := recovered(func() { _ = l.Run(t.Context()) })
		assert.Equal(t, "renew blew up", r)
		assert.ErrorContains(t, cause, "Renew panicked: renew blew up")
		assert.Equal(t, connctx.Holder{}, lock.Holder(), "released in the teardown")
		assert.Equal(t, connctx.LeaderStopped, l.Status().State)
	})
}

func TestAReleaseIsBoundedByTheRenewDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		<-rec.started
		resume := lock.Hang() // the store stops answering
		defer resume()
		start := time.Now()
		require.NoError(t, stop())
		assert.Equal(t, renewWithin, time.Since(start), "Run gave up on the release after the renew deadline")
		assert.Equal(t, 1, lock.Calls("release"))
	})
}

// panicAcquire is a lock whose Acquire panics.
type panicAcquire struct{ *conntest.Lock }

func (*panicAcquire) Acquire(context.Context, connctx.Claim) (connctx.Holder, error) {
	panic("acquire blew up")
}

func TestAPanicInAcquireGoesOnToRunsCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := connctx.NewLeader(&panicAcquire{Lock: conntest.NewLock()}, (&terms{}).session(), timings("me")...)
		require.NoError(t, err)
		assert.Equal(t, "acquire blew up", recovered(func() { _ = l.Run(t.Context()) }))
		assert.Equal(t, connctx.LeaderStopped, l.Status().State)
		assert.Equal(t, "acquire blew up", recovered(func() { _ = l.Run(t.Context()) }),
			"Run runs again after a panic: it is not left marked as running")
	})
}
