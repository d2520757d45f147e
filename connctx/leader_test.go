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

func TestOnlyOneOfSeveralLeadersRunsItsSessionAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		rec := &terms{}
		stops := map[string]func() error{}
		for _, id := range []string{"a", "b", "c"} {
			_, stops[id] = runLeader(t, lock, rec.session(), timings(id)...)
		}
		synctest.Wait()
		time.Sleep(time.Minute) // fake time: a minute of renewals
		synctest.Wait()
		require.Len(t, rec.list(), 1, "one leader, renewing, for a minute")
		first := rec.list()[0].lease
		require.NoError(t, stops[first.Identity]())
		assert.Equal(t, connctx.Holder{}, lock.Holder(), "a Leader whose Run ends releases its lease")

		time.Sleep(renewEvery + renewEvery/5) // the others try every renew interval, jittered by 20%
		synctest.Wait()
		all := rec.list()
		require.Len(t, all, 2, "another took over after the release, within one acquire interval")
		assert.NotEqual(t, first.Identity, all[1].lease.Identity)
		assert.Greater(t, all[1].lease.Token, first.Token, "the token grows on a takeover")
		assert.False(t, rec.overlap, "two sessions ran at once")
		assert.ErrorIs(t, all[0].cause, context.Canceled, "the first term ended with Run's context")
	})
}

func TestALeaseHeldByAnotherIsAFailedAttemptRetriedUntilItExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		lock.Take("other", leaseFor)
		rec := &terms{}
		var heldErrs []error
		start := time.Now()
		_, stop := runLeader(t, lock, rec.session(), append(timings("me"),
			connctx.WithHooks(connctx.Hooks{OnDialError: func(r backoff.Retrying) { heldErrs = append(heldErrs, r.Err) }}))...)
		time.Sleep(leaseFor + renewEvery*6/5)
		synctest.Wait()
		all := rec.list()
		require.Len(t, all, 1, "the lease expired: acquired within one acquire interval after")
		assert.WithinDuration(t, start.Add(leaseFor), all[0].start, renewEvery*6/5)
		require.NotEmpty(t, heldErrs)
		var held *connctx.HeldError
		require.ErrorAs(t, heldErrs[0], &held)
		assert.ErrorIs(t, heldErrs[0], connctx.ErrLeaseHeld)
		assert.Equal(t, "other", held.Holder.Identity)
		assert.GreaterOrEqual(t, len(heldErrs), 4, "tried every 2 s ± 20%% for 10 s")
		assert.LessOrEqual(t, len(heldErrs), 7, "tried every 2 s ± 20%% for 10 s")
		require.NoError(t, stop())
	})
}

func TestATermThatEndsReleasesTheLeaseAndTheLeaderCampaignsAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := conntest.NewLock()
		var leases []connctx.Lease
		session := func(ctx context.Context, lease connctx.Lease, _ *errgroup.Group) error {
			leases = append(leases, lease)
			return errors.New("this term is over")
		}
		var lost []connctx.Lost
		_, stop := runLeader(t, lock, session, append(timings("me"),
			connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) { lost = append(lost, l) }}))...)
		// The restart backoff starts at the renew interval, ± 20%, after the 100 ms Supervise
		// waits for a loss when a session returns on its own.
		time.Sleep(renewEvery*6/5 + 100*time.Millisecond)
		synctest.Wait()
		require.NoError(t, stop())
		require.Len(t, leases, 2)
		assert.Equal(t, 1, leases[0].Term)
		assert.Equal(t, 2, leases[1].Term)
		assert.Greater(t, leases[1].Token, leases[0].Token, "a released lease acquired again has a new token")
		assert.Equal(t, 2, lock.Calls("release"), "each term released its lease")
		require.NotEmpty(t, lost)
		assert.EqualError(t, lost[0].Cause, "this term is over")
	})
}

func TestRunReturnsNilWhenItsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, held := range []bool{false, true} {
			lock := conntest.NewLock()
			if held {
				lock.Take("other", time.Hour) // never acquired: Run ends while acquiring
			}
			rec := &terms{}
			_, stop := runLeader(t, lock, rec.session(), timings("me")...)
			time.Sleep(time.Minute)
			assert.NoError(t, stop(), "held by another: %v", held)
			assert.Equal(t, !held, len(rec.list()) == 1)
		}
	})
}
