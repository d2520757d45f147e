package bmdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
	"github.com/steadfast-go/steadfast/reconcile"
)

var fast = []bmdb.SourceOption{bmdb.SourcePoll(10 * time.Millisecond), bmdb.SourceBatch(4)}

func TestConcurrentClaimsHandEachDueMachineToExactlyOneWorker(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ctx := context.Background()
		ids := machines(40)
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, ids...))

		var mu sync.Mutex
		got := map[string]int{}
		var wg sync.WaitGroup
		for range 3 { // three sessions, as three processes would have, with four workers each
			src := session(t, db, time.Minute).Source(bmdb.Provision, fast...)
			for range 4 {
				wg.Go(func() {
					for {
						l, err := getWithin(src, notDue)
						if err != nil {
							return // nothing left that is due
						}
						mu.Lock()
						got[l.Machine]++
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		assert.Len(t, got, len(ids), "every machine was handed out")
		for m, n := range got {
			assert.Equal(t, 1, n, "machine %s handed out %d times while leased", m, n)
		}
	})
}

func TestDoneMovesTheMachineToTheNextStageAndRecordsIt(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
		s := session(t, db, time.Minute)
		src := s.Source(bmdb.Provision, fast...)

		l, err := getWithin(src, time.Second)
		require.NoError(t, err)
		assert.Equal(t, bmdb.Lease{Machine: "m1", Process: "provision", Session: s.ID(), Token: 1, Key: 1}, l)
		require.NoError(t, src.Done(ctx, l, reconcile.OutcomeOf(nil)))

		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{bmdb.StageProvisioned: 1}, st.Stages)
		assert.Zero(t, st.Leases, "the lease is released")
		hist, err := db.History(ctx)
		require.NoError(t, err)
		require.Len(t, hist, 1)
		assert.Equal(t, bmdb.EventFinished, hist[0].Event)
		assert.Equal(t, l.Token, hist[0].Token)

		_, err = getWithin(src, notDue)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a provisioned machine is no longer due for provision")
		assert.ErrorIs(t, src.Done(ctx, l, reconcile.OutcomeOf(nil)), bmdb.ErrLeaseLost, "a lease is reported once")
	})
}

func TestAWorkerWhoseLeaseWasTakenOverCannotCommit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		clock := bmdbtest.NewClock(epoch)
		db := open(t, d.newDSN(t), bmdb.WithClock(clock.Now))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
		ttl := 10 * time.Second
		slow := session(t, db, ttl).Source(bmdb.Provision, fast...)
		late, err := getWithin(slow, time.Second)
		require.NoError(t, err)

		clock.Advance(ttl) // the slow worker's process stops heartbeating: its lease expires
		fresh := session(t, db, ttl)
		src := fresh.Source(bmdb.Provision, fast...)
		l, err := getWithin(src, time.Second)
		require.NoError(t, err, "an expired lease is taken over")
		assert.Equal(t, "m1", l.Machine)
		assert.Equal(t, late.Token+1, l.Token, "a takeover bumps the fencing token")
		assert.Equal(t, late.Key, l.Key, "and keeps the idempotency key of the work")

		err = slow.Done(ctx, late, reconcile.OutcomeOf(nil))
		require.ErrorIs(t, err, bmdb.ErrLeaseLost, "the late commit is refused")
		var lost *bmdb.LeaseLostError
		require.ErrorAs(t, err, &lost)
		assert.Equal(t, late, lost.Lease)
		err = slow.Done(ctx, late, reconcile.OutcomeOf(errors.New("late failure")))
		require.ErrorIs(t, err, bmdb.ErrLeaseLost, "a late failure is refused too: it would back off the new owner's work")
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{bmdb.StageNew: 1}, st.Stages, "the refused commit changed nothing")
		assert.Zero(t, st.InBackoff)

		require.NoError(t, src.Done(ctx, l, reconcile.OutcomeOf(nil)), "the new owner commits")
		hist, err := db.History(ctx)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		assert.Equal(t, bmdb.Event{Machine: "m1", Process: "provision", Session: late.Session, Token: late.Token,
			Event: bmdb.EventExpired, Cause: fmt.Sprintf("taken over by session %d", fresh.ID()), AtMillis: clock.Now().UnixMilli()}, hist[0])
		assert.Equal(t, bmdb.EventFinished, hist[1].Event)
		assert.Equal(t, fresh.ID(), hist[1].Session, "only the new owner's work is recorded as finished")
	})
}

func TestConcurrentReportsAreEachCommittedUnderTheirOwnFence(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, machines(8)...))
		src := session(t, db, time.Minute).Source(bmdb.Provision, bmdb.SourceBatch(8))
		var leases []bmdb.Lease
		for range 8 {
			l, err := getWithin(src, time.Second)
			require.NoError(t, err)
			leases = append(leases, l)
		}
		forged := leases[3]
		forged.Token++ // a lease this worker never held: its report must fail alone

		start := make(chan struct{})
		errs := make([]error, len(leases))
		var wg sync.WaitGroup
		for i, l := range leases {
			if i == 3 {
				l = forged
			}
			wg.Go(func() {
				<-start // all at once, so that on PostgreSQL they share group commits
				errs[i] = src.Done(ctx, l, reconcile.OutcomeOf(nil))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if i == 3 {
				assert.ErrorIs(t, err, bmdb.ErrLeaseLost, "the forged report is refused")
				continue
			}
			assert.NoError(t, err, "report %d", i)
		}
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{bmdb.StageProvisioned: 7, bmdb.StageNew: 1}, st.Stages)
		assert.Equal(t, 7, st.Events["provision"][bmdb.EventFinished])
		assert.Equal(t, 1, st.Leases, "the forged report left the real lease alone")
	})
}

func TestGetHandsOutNothingOnceItsContextEndedAndReleaseGivesTheRestBack(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, machines(4)...))
		src := session(t, db, time.Minute).Source(bmdb.Provision, bmdb.SourceBatch(4))
		_, err := getWithin(src, 10*time.Second) // claims all four, hands out one
		require.NoError(t, err)
		ended, cancel := context.WithCancelCause(ctx)
		lost := errors.New("session lost")
		cancel(lost)
		_, err = src.Get(ended)
		assert.ErrorIs(t, err, lost, "the session ended: nothing more is handed out, though three are buffered")
		require.NoError(t, src.Release(ctx))
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, st.Leases, "the three were given back; the one handed out is still held")
	})
}

func TestASyncInterruptedByTheEndOfItsContextIsReleasedWithoutBackoff(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
		src := session(t, db, time.Minute).Source(bmdb.Provision, fast...)
		l, err := getWithin(src, time.Second)
		require.NoError(t, err)
		interrupted := fmt.Errorf("provision m1: %w", context.Canceled)
		require.NoError(t, src.Done(ctx, l, reconcile.OutcomeOf(interrupted)))
		b, err := db.Backoff(ctx, "m1", bmdb.Provision.Name)
		require.NoError(t, err)
		assert.Zero(t, b, "an interruption is not a failure: no backoff")
		hist, err := db.History(ctx)
		require.NoError(t, err)
		assert.Empty(t, hist, "and nothing to record")
		again, err := getWithin(src, time.Second)
		require.NoError(t, err, "the machine is due again at once")
		assert.Equal(t, l.Key, again.Key, "with the same work's key")
	})
}
