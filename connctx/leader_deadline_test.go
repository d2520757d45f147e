package connctx_test

import (
	"context"
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

// renewLog is a lock that records when each Renew started and the deadline of its context.
type renewLog struct {
	*conntest.Lock
	mu        sync.Mutex
	starts    []time.Time
	deadlines []time.Time
}

func (r *renewLog) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	d, _ := ctx.Deadline()
	r.mu.Lock()
	r.starts, r.deadlines = append(r.starts, time.Now()), append(r.deadlines, d)
	r.mu.Unlock()
	return r.Lock.Renew(ctx, c, h)
}

func (r *renewLog) log() ([]time.Time, []time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.starts...), append([]time.Time(nil), r.deadlines...)
}

func TestTheSessionContextCarriesTheLeaseDeadlineAndItMovesWithRenewals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &renewLog{Lock: conntest.NewLock()}
		ask := make(chan chan time.Time)
		session := func(ctx context.Context, lease connctx.Lease, _ *errgroup.Group) error {
			for {
				select {
				case reply := <-ask:
					d, ok := ctx.Deadline()
					require.True(t, ok)
					reply <- d
				case <-ctx.Done():
					return nil
				}
			}
		}
		deadline := func() time.Time {
			reply := make(chan time.Time)
			ask <- reply
			return <-reply
		}
		_, stop := runLeader(t, lock, session, timings("me")...)
		acquired := time.Now() // the acquire ran at once, at the fake time's start
		assert.Equal(t, acquired.Add(renewWithin), deadline(), "the first deadline counts from the acquire's start")
		time.Sleep(renewEvery)
		synctest.Wait()
		starts, _ := lock.log()
		require.Len(t, starts, 1)
		assert.Equal(t, starts[0].Add(renewWithin), deadline(), "a renewal moves the deadline to its start + the renew deadline")
		require.NoError(t, stop())
	})
}

func TestTheSessionContextHasTheParentsDeadlineIfSooner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := make(chan time.Time, 1)
		session := func(ctx context.Context, _ connctx.Lease, _ *errgroup.Group) error {
			d, _ := ctx.Deadline()
			seen <- d
			<-ctx.Done()
			return nil
		}
		l, err := connctx.NewLeader(conntest.NewLock(), session, timings("me")...)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		require.NoError(t, l.Run(ctx))
		assert.Equal(t, time.Now(), <-seen, "Run's context ended at its deadline, which the session saw")
	})
}

func TestRenewalsAreJitteredWithinTheIntervalAndEndAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &renewLog{Lock: conntest.NewLock()}
		rec := &terms{}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		start := time.Now()
		time.Sleep(10 * time.Minute)
		require.NoError(t, stop())
		starts, deadlines := lock.log()
		require.Greater(t, len(starts), 200)
		prev, distinct := start, map[time.Duration]bool{}
		for i, s := range starts {
			gap := s.Sub(prev)
			assert.GreaterOrEqual(t, gap, renewEvery*4/5, "renewal %d", i)
			assert.LessOrEqual(t, gap, renewEvery, "renewal %d", i)
			assert.Equal(t, prev.Add(renewWithin), deadlines[i], "renewal %d's context ends at the lease's deadline", i)
			distinct[gap] = true
			prev = s
		}
		assert.Greater(t, len(distinct), 10, "the waits are jittered")
	})
}

func TestTheSessionIsNotCalledWhenTheAcquireOutlastedTheRenewDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &slowAcquire{Lock: conntest.NewLock(), delay: renewWithin + time.Second}
		rec := &terms{}
		var lost []connctx.Lost
		_, stop := runLeader(t, lock, rec.session(), append(timings("me"), connctx.WithDialTimeout(0),
			connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) { lost = append(lost, l) }}))...)
		time.Sleep(renewWithin + 2*time.Second)
		synctest.Wait()
		assert.Empty(t, rec.list(), "the session was not called on a lease past its deadline")
		require.NotEmpty(t, lost)
		assert.ErrorIs(t, lost[0].Cause, connctx.ErrLeaseLost)
		assert.Equal(t, 1, lock.Calls("release"), "the lease it got was released")
		require.NoError(t, stop())
	})
}

// slowAcquire is a lock whose Acquire takes delay, ignoring its context.
type slowAcquire struct {
	*conntest.Lock
	delay time.Duration
}

func (s *slowAcquire) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	time.Sleep(s.delay)
	return s.Lock.Acquire(context.WithoutCancel(ctx), c)
}

func TestAnAcquireAttemptIsBoundedByTheRenewDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		resume := lock.Hang()
		var errs []error
		rec := &terms{}
		_, stop := runLeader(t, lock, rec.session(), append(timings("me"),
			connctx.WithHooks(connctx.Hooks{OnDialError: func(r backoff.Retrying) { errs = append(errs, r.Err) }}))...)
		time.Sleep(renewWithin)
		synctest.Wait()
		require.Len(t, errs, 1, "the first attempt ended at the renew deadline")
		assert.ErrorIs(t, errs[0], backoff.ErrAttemptTimeout)
		resume()
		require.NoError(t, stop())
	})
}

// slowCalls is a lock whose Acquire and Renew each take a second.
type slowCalls struct{ *conntest.Lock }

func (s *slowCalls) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	time.Sleep(time.Second)
	return s.Lock.Acquire(ctx, c)
}

func (s *slowCalls) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	time.Sleep(time.Second)
	return s.Lock.Renew(ctx, c, h)
}

func TestTheDeadlineCountsFromTheStartOfTheAcquireOrRenewalNotItsEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &terms{started: make(chan connctx.Lease, 1)}
		l, stop := runLeader(t, &slowCalls{Lock: conntest.NewLock()}, rec.session(), timings("me")...)
		start := time.Now()
		lease := <-rec.started
		assert.Equal(t, start, lease.Acquired)
		assert.Equal(t, start.Add(renewWithin), l.Status().Deadline, "from the acquire's start, a second before it returned")
		// The first renewal starts 1.6 to 2 s after the acquire returned, at 1 s, and takes 1 s.
		time.Sleep(renewEvery + 1500*time.Millisecond)
		synctest.Wait()
		st := l.Status()
		assert.LessOrEqual(t, st.Renewed.Sub(start), 3*time.Second, "Renewed is the renewal's start")
		assert.Greater(t, st.Renewed.Sub(start), 2*time.Second)
		assert.Equal(t, st.Renewed.Add(renewWithin), st.Deadline, "from the renewal's start")
		require.NoError(t, stop())
	})
}
