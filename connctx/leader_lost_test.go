package connctx_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// firstTerm runs a Leader on lock until its first term has ended, and returns the term.
func firstTerm(t *testing.T, lock connctx.Lock, within time.Duration, opts ...connctx.LeaseOption) term {
	rec := &terms{}
	_, stop := runLeader(t, lock, rec.session(), append(timings("me"), opts...)...)
	time.Sleep(within)
	synctest.Wait()
	require.NoError(t, stop())
	all := rec.list()
	require.NotEmpty(t, all)
	require.False(t, all[0].end.IsZero())
	return all[0]
}

func TestTheSessionContextEndsWithLeaseLostWhenARenewalFindsAnotherHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		<-rec.started
		taken := lock.Take("thief", time.Hour)
		time.Sleep(renewEvery)
		synctest.Wait()
		require.NoError(t, stop())
		all := rec.list()
		require.Len(t, all, 1)
		var lost *connctx.LeaseLostError
		require.ErrorAs(t, all[0].cause, &lost)
		assert.ErrorIs(t, all[0].cause, connctx.ErrLeaseLost)
		assert.Equal(t, taken, lost.Holder, "the cause names the new holder")
		assert.Equal(t, all[0].lease.Holder, lost.Held)
		assert.False(t, lost.Expired)
		assert.Zero(t, lock.Calls("release"), "a lease a renewal found taken is not released")
		assert.Equal(t, taken, lock.Holder())
	})
}

func TestTheSessionContextEndsWithLeaseLostWhenARenewalFindsNoHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		gone := &renewAs{Lock: lock}
		tm := firstTerm(t, gone, renewEvery)
		var lost *connctx.LeaseLostError
		require.ErrorAs(t, tm.cause, &lost)
		assert.Equal(t, connctx.Holder{}, lost.Holder)
		assert.ErrorContains(t, tm.cause, "held by nobody")
	})
}

// renewAs is a lock whose Renew always says the lease has holder h.
type renewAs struct {
	*conntest.Lock
	h connctx.Holder
}

func (r *renewAs) Renew(context.Context, connctx.Claim, connctx.Holder) (connctx.Holder, error) {
	return r.h, nil
}

func TestTheSessionContextEndsAtTheDeadlineWhenRenewalsFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		lease := <-rec.started
		errDown := errors.New("store down")
		lock.FailNext(1000, errDown)
		time.Sleep(time.Minute)
		require.NoError(t, stop())
		tm := rec.list()[0]
		assert.Equal(t, lease.Acquired.Add(renewWithin), tm.end, "no renewal ever succeeded: the deadline counts from the acquire")
		var lost *connctx.LeaseLostError
		require.ErrorAs(t, tm.cause, &lost)
		assert.True(t, lost.Expired)
		assert.Equal(t, tm.end, lost.Deadline)
		assert.ErrorIs(t, tm.cause, errDown, "the cause keeps the last renewal's error")
		assert.Contains(t, []int{2, 3}, lock.Calls("renew"), "tried every 1.6 to 2 s until the deadline, 6 s")
	})
}

func TestAHangingRenewDoesNotKeepTheLeaseAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &slowLock{Lock: conntest.NewLock()}
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		lease := <-rec.started
		release := lock.stall() // Renew ignores its context from now on
		time.Sleep(renewWithin)
		synctest.Wait()
		all := rec.list()
		require.False(t, all[0].end.IsZero(), "the lease ended at its deadline while Renew hung")
		assert.Equal(t, lease.Acquired.Add(renewWithin), all[0].end)
		assert.ErrorIs(t, all[0].cause, connctx.ErrLeaseLost)
		release()
		require.NoError(t, stop())
	})
}

func TestARenewalThatReturnsAfterTheDeadlineDoesNotReviveTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := &slowLock{Lock: conntest.NewLock(), renewed: make(chan struct{}, 10)}
		rec := &terms{started: make(chan connctx.Lease, 1)}
		l, stop := runLeader(t, lock, rec.session(), timings("me")...)
		<-rec.started
		release := lock.stall()
		time.Sleep(renewWithin + time.Second)
		release() // the store answers "renewed", too late
		<-lock.renewed
		synctest.Wait()
		all := rec.list()
		require.Len(t, all, 1)
		var lost *connctx.LeaseLostError
		require.ErrorAs(t, all[0].cause, &lost)
		assert.True(t, lost.Expired)
		assert.NotEqual(t, connctx.LeaderLeading, l.Status().State)
		require.NoError(t, stop())
	})
}

func TestAPermanentRenewErrorLosesTheLeaseAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		rec := &terms{started: make(chan connctx.Lease, 1)}
		_, stop := runLeader(t, lock, rec.session(), timings("me")...)
		lease := <-rec.started
		errGone := errors.New("lease table dropped")
		lock.FailNext(1, backoff.Permanent(errGone))
		time.Sleep(renewEvery)
		synctest.Wait()
		require.NoError(t, stop())
		tm := rec.list()[0]
		assert.Less(t, tm.end.Sub(lease.Acquired), renewWithin, "lost at the failed renewal, before the deadline")
		var lost *connctx.LeaseLostError
		require.ErrorAs(t, tm.cause, &lost)
		assert.False(t, lost.Expired)
		assert.Equal(t, errGone, lost.Err)
	})
}
