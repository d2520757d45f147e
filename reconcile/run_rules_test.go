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

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

func TestRunParallelismOfZeroOrLessMeansOneWorker(t *testing.T) {
	for _, n := range []int{0, -2} {
		synctest.Test(t, func(t *testing.T) {
			var src reconciletest.Source[string]
			src.Push("a", "b")
			src.Close()
			var running, peak atomic.Int32
			err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(context.Context, string) error {
				peak.Store(max(peak.Load(), running.Add(1)))
				time.Sleep(time.Second)
				running.Add(-1)
				return nil
			}), reconcile.WithParallelism(n))
			require.NoError(t, err)
			assert.Len(t, src.Reports(), 2)
			assert.Equal(t, int32(1), peak.Load())
		})
	}
}

type ctxKey struct{}

func TestRunReportsToDoneWithAContextNotCancelledThatCarriesRunsValues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.Push("a")
		ctx, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "v"))
		var doneErr error
		var doneVal any
		wrapped := reconcile.SourceFuncs[string]{GetFunc: src.Get, DoneFunc: func(ctx context.Context, k string, o reconcile.Outcome) error {
			doneErr, doneVal = ctx.Err(), ctx.Value(ctxKey{})
			return src.Done(ctx, k, o)
		}}
		errc := goRun[string](ctx, wrapped, reconcile.SyncFunc[string](func(ctx context.Context, _ string) error {
			<-ctx.Done() // Run is stopping
			return ctx.Err()
		}))
		synctest.Wait()
		cancel()
		require.NoError(t, <-errc)
		assert.NoError(t, doneErr, "Done's context is not cancelled while Run stops")
		assert.Equal(t, "v", doneVal)
	})
}

func TestRunDoesNotShutTheSourceDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		ctx, cancel := context.WithCancel(t.Context())
		errc := goRun(ctx, q, nopSync[string]())
		synctest.Wait()
		cancel()
		require.NoError(t, <-errc)
		require.NoError(t, q.Add("a"), "the queue still takes keys")
		assert.Equal(t, "a", get(t, q))
	})
}

func TestRunCalledTwiceOnOneQueueSharesItsKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		var mu sync.Mutex
		holding, synced, overlaps := map[string]bool{}, 0, 0
		sync := reconcile.SyncFunc[string](func(_ context.Context, k string) error {
			mu.Lock()
			overlaps += btoi(holding[k])
			holding[k] = true
			mu.Unlock()
			time.Sleep(time.Second)
			mu.Lock()
			holding[k] = false
			synced++
			mu.Unlock()
			return nil
		})
		first := goRun(t.Context(), q, sync, reconcile.WithParallelism(2))
		second := goRun(t.Context(), q, sync, reconcile.WithParallelism(2))
		for range 3 {
			for _, k := range []string{"a", "b", "c", "d"} {
				require.NoError(t, q.Add(k))
			}
			time.Sleep(500 * time.Millisecond)
		}
		synctest.Wait()
		q.Drain()
		require.NoError(t, returnsWithin(t, first, time.Minute))
		require.NoError(t, returnsWithin(t, second, time.Minute))
		assert.Zero(t, overlaps, "no key synced by both Runs at once")
		assert.GreaterOrEqual(t, synced, 4)
	})
}

func TestRunSharesALimiterWithAnotherRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limiter := rate.NewLimiter(rate.Every(time.Second), 1)
		var a, b reconciletest.Source[int]
		for i := range 10 {
			a.Push(i)
			b.Push(i)
		}
		var mu sync.Mutex
		var starts []time.Duration
		start := time.Now()
		sync := reconcile.SyncFunc[int](func(context.Context, int) error {
			mu.Lock()
			starts = append(starts, time.Since(start))
			mu.Unlock()
			return nil
		})
		ctxA, stopA := context.WithCancel(t.Context())
		errA := goRun(ctxA, &a, sync, reconcile.WithRateLimit(limiter), reconcile.WithParallelism(3))
		errB := goRun(t.Context(), &b, sync, reconcile.WithRateLimit(limiter), reconcile.WithParallelism(3))
		time.Sleep(4500 * time.Millisecond)
		mu.Lock()
		assert.Len(t, starts, 5, "two Runs together take one key a second (with a burst of 1)")
		mu.Unlock()
		stopA()
		require.NoError(t, <-errA)
		b.Close()
		require.NoError(t, returnsWithin(t, errB, time.Minute), "the other Run goes on and takes all its keys")
		assert.Len(t, b.Reports(), 10)
	})
}

func TestRunResyncGoesOnAsScheduledAfterAListError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		lists := 0
		list := func(context.Context) ([]string, error) {
			if lists++; lists == 1 {
				return nil, errors.New("list failed")
			}
			return []string{"a"}, nil
		}
		var errs []error
		stop := startRun(t, &src, nopSync[string](), reconcile.WithResync(&src, time.Minute, list),
			reconcile.WithHooks(reconcile.Hooks{OnResynced: func(_ int, err error) { errs = append(errs, err) }}))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.GreaterOrEqual(t, len(errs), 2)
		assert.ErrorContains(t, errs[0], "list failed")
		assert.NoError(t, errs[1])
		assert.Contains(t, src.Resyncs(), "a")
	})
}

func TestRunResyncOfZeroOrLessIsOff(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		synctest.Test(t, func(t *testing.T) {
			var src reconciletest.Source[string]
			listed := false
			stop := startRun(t, &src, nopSync[string](), reconcile.WithResync(&src, d, func(context.Context) ([]string, error) {
				listed = true
				return nil, nil
			}))
			time.Sleep(time.Hour)
			require.NoError(t, stop())
			assert.False(t, listed)
		})
	}
}

func TestRunResyncPassesEveryKeyAFullQueueTakesAndReportsTheFirstError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueMaxKeys(2))
		release := make(chan struct{})
		var n int
		var rerr error
		stop := startRun(t, q, reconcile.SyncFunc[string](func(context.Context, string) error { <-release; return nil }),
			reconcile.WithResync(q, time.Hour, func(context.Context) ([]string, error) { return []string{"a", "b", "c", "d"}, nil }),
			reconcile.WithHooks(reconcile.Hooks{OnResynced: func(keys int, err error) { n, rerr = keys, err }}))
		synctest.Wait()
		assert.Equal(t, 2, n, "a and b fit")
		assert.ErrorIs(t, rerr, reconcile.ErrQueueFull)
		close(release)
		require.NoError(t, stop())
	})
}

func TestRunSyncTimeoutOfZeroOrLessIsNone(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		synctest.Test(t, func(t *testing.T) {
			var src reconciletest.Source[string]
			src.Push("a")
			src.Close()
			err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(ctx context.Context, _ string) error {
				_, has := ctx.Deadline()
				assert.False(t, has)
				time.Sleep(time.Hour)
				return ctx.Err()
			}), reconcile.WithSyncTimeout(d))
			require.NoError(t, err)
			assert.Equal(t, reconcile.OutcomeDone, src.Reports()[0].Outcome.Kind)
		})
	}
}

func TestRunReturnsOnlyAfterItsResyncListReturned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		var returned atomic.Bool
		stop := startRun(t, &src, nopSync[string](), reconcile.WithResync(&src, time.Hour, func(ctx context.Context) ([]string, error) {
			<-ctx.Done()
			time.Sleep(time.Second) // cleaning up
			returned.Store(true)
			return nil, ctx.Err()
		}))
		synctest.Wait()
		require.NoError(t, stop())
		assert.True(t, returned.Load())
	})
}

func TestSourceFuncsWithoutDoneFuncDoesNothingOnDone(t *testing.T) {
	var src reconciletest.Source[string]
	f := reconcile.SourceFuncs[string]{GetFunc: src.Get}
	assert.NoError(t, f.Done(t.Context(), "a", reconcile.Outcome{}))
}

func TestRunReturnsAtOnceWhenCancelledWhileEveryWorkerWaitsForAToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.Push("a", "b")
		ctx, cancel := context.WithCancel(t.Context())
		errc := goRun(ctx, &src, nopSync[string](), reconcile.WithParallelism(2), reconcile.WithRateLimit(slowLimiter()))
		synctest.Wait()
		start := time.Now()
		cancel()
		require.NoError(t, returnsWithin(t, errc, time.Second))
		assert.Equal(t, start, time.Now())
		assert.Len(t, src.Reports(), 1, "a took the one token; b was never taken")
		assert.Zero(t, src.Out())
	})
}
