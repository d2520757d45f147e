package reconcile_test

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
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

func TestRunResyncListsEveryKeyAtStartAndAboutEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		var lists atomic.Int32
		list := func(context.Context) ([]string, error) {
			lists.Add(1)
			return []string{"a", "b", "c"}, nil
		}
		var resynced []int
		stop := startRun(t, &src, reconcile.SyncFunc[string](func(context.Context, string) error { return nil }),
			reconcile.WithResync(&src, time.Minute, list),
			reconcile.WithHooks(reconcile.Hooks{OnResynced: func(n int, err error) {
				assert.NoError(t, err)
				resynced = append(resynced, n)
			}}))
		synctest.Wait()
		assert.Equal(t, []string{"a", "b", "c"}, src.Resyncs(), "listed at start")
		time.Sleep(54 * time.Second) // fake time: before the earliest jittered resync (54s)
		synctest.Wait()
		assert.Equal(t, int32(1), lists.Load())
		time.Sleep(12 * time.Second) // past the latest (66s)
		synctest.Wait()
		assert.Equal(t, int32(2), lists.Load())
		assert.Len(t, src.Resyncs(), 6)
		require.NoError(t, stop())
		assert.Equal(t, []int{3, 3}, resynced)
		assert.Len(t, src.Reports(), 6, "resynced keys went through the sync")
	})
}

func TestRunResyncDoesNotStarveKeysAddedByEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		release := make(chan struct{})
		var order []string
		sync := reconcile.SyncFunc[string](func(_ context.Context, key string) error {
			if len(order) == 0 {
				<-release // hold the only worker while the resync and the event arrive
			}
			order = append(order, key)
			return nil
		})
		keys := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"}
		stop := startRun(t, q, sync, reconcile.WithResync(q, time.Hour, func(context.Context) ([]string, error) { return keys, nil }))
		synctest.Wait()
		require.NoError(t, q.Add("event"))
		close(release)
		synctest.Wait()
		require.NoError(t, stop())
		require.Len(t, order, 9)
		assert.Equal(t, []string{"r0", "event"}, order[:2], "the event goes before the rest of the resync")
	})
}

func TestRunTakesWorkNoFasterThanTheRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[int]
		for i := range 50 {
			src.Push(i)
		}
		src.Close()
		start := time.Now()
		var mu sync.Mutex
		var starts []time.Duration
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[int](func(context.Context, int) error {
			mu.Lock()
			starts = append(starts, time.Since(start))
			mu.Unlock()
			return nil
		}), reconcile.WithParallelism(4), reconcile.WithRateLimit(rate.NewLimiter(10, 5)))
		require.NoError(t, err)
		require.Len(t, starts, 50)
		for i, at := range starts {
			// 10 per second after a burst of 5: the i-th key (from 0) no sooner than (i-4)/10 s.
			earliest := time.Duration(max(i-4, 0)) * 100 * time.Millisecond
			assert.GreaterOrEqual(t, at, earliest, "sync %d started too early", i)
		}
		assert.Equal(t, 4500*time.Millisecond, starts[49], "and no slower than the limit either")
	})
}

func TestRunSyncTimeoutEndsTheSyncsContextAndCountsAsAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.Push("slow")
		src.Close()
		var took time.Duration
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(ctx context.Context, _ string) error {
			start := time.Now()
			<-ctx.Done()
			took = time.Since(start)
			return context.Cause(ctx)
		}), reconcile.WithSyncTimeout(3*time.Second))
		require.NoError(t, err)
		assert.Equal(t, 3*time.Second, took)
		reports := src.Reports()
		require.Len(t, reports, 1)
		assert.Equal(t, reconcile.OutcomeRetry, reports[0].Outcome.Kind)
		assert.ErrorIs(t, reports[0].Outcome.Err, reconcile.ErrSyncTimeout)
	})
}

func TestRunTreatsNilHooksAsAbsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.FailDone("b", errors.New("lease lost"))
		src.Push("a", "b", "c")
		src.Close()
		list := func(context.Context) ([]string, error) { return nil, errors.New("list failed") }
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(_ context.Context, k string) error {
			if k == "a" {
				return backoff.Permanent(errors.New("no such thing"))
			}
			return nil
		}), reconcile.WithHooks(reconcile.Hooks{}), reconcile.WithResync(&src, time.Hour, list))
		require.NoError(t, err)
		assert.Len(t, src.Reports(), 3)
	})
}
