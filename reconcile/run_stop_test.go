package reconcile_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// goRun runs Run on its own goroutine and returns the channel of its error.
func goRun[K comparable](ctx context.Context, src reconcile.Source[K], sync reconcile.Sync[K], opts ...reconcile.RunOption) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- reconcile.Run(ctx, src, sync, opts...) }()
	return errc
}

// returnsWithin waits (in fake time) at most d for Run to return, and returns its error.
func returnsWithin(t *testing.T, errc <-chan error, d time.Duration) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		t.Fatalf("Run did not return within %v", d)
		return nil
	}
}

func nopSync[K comparable]() reconcile.Sync[K] {
	return reconcile.SyncFunc[K](func(context.Context, K) error { return nil })
}

func TestRunReturnsWhenQueueShutsDownWithResync(t *testing.T) {
	stops := map[string]func(q *reconcile.Queue[string]){
		"shut down": (*reconcile.Queue[string]).ShutDown,
		"drained":   (*reconcile.Queue[string]).Drain,
	}
	for name, stop := range stops {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newQueue(t)
				noKeys := func(context.Context) ([]string, error) { return nil, nil }
				errc := goRun(t.Context(), q, nopSync[string](), reconcile.WithParallelism(2),
					reconcile.WithResync(q, time.Hour, noKeys))
				synctest.Wait()
				stop(q)
				require.NoError(t, returnsWithin(t, errc, time.Minute), "Run returns at once, not at the next resync")
			})
		})
	}
}

func TestRunReturnsWhenTheSourceShutsDownWithResync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		noKeys := func(context.Context) ([]string, error) { return nil, nil }
		errc := goRun(t.Context(), &src, nopSync[string](), reconcile.WithResync(&src, time.Hour, noKeys))
		synctest.Wait()
		src.Close()
		require.NoError(t, returnsWithin(t, errc, time.Minute))
	})
}

// slowLimiter hands out one token at once and the next only after two hours.
func slowLimiter() *rate.Limiter { return rate.NewLimiter(rate.Every(2*time.Hour), 1) }

func TestRunReturnsWhenTheSourceShutsDownWhileEveryWorkerWaitsForATokenPastTheDeadline(t *testing.T) {
	tests := []struct {
		name string
		src  func(push string) (reconcile.Source[string], func())
	}{
		{"queue shut down", func(push string) (reconcile.Source[string], func()) {
			var q reconcile.Queue[string]
			q.Add(push)
			return &q, q.ShutDown
		}},
		{"queue drained", func(push string) (reconcile.Source[string], func()) {
			var q reconcile.Queue[string]
			q.Add(push)
			return &q, q.Drain
		}},
		{"test source closed", func(push string) (reconcile.Source[string], func()) {
			var s reconciletest.Source[string]
			s.Push(push)
			return &s, s.Close
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src, stop := tt.src("a")
				ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
				defer cancel()
				errc := goRun(ctx, src, nopSync[string](), reconcile.WithParallelism(2),
					reconcile.WithRateLimit(slowLimiter()))
				synctest.Wait() // a synced with the one token; both workers wait for the next, due after ctx's deadline
				time.Sleep(time.Minute)
				start := time.Now()
				stop()
				require.NoError(t, returnsWithin(t, errc, time.Second))
				assert.Equal(t, start, time.Now(), "Run noticed the shutdown at once, not at ctx's deadline")
			})
		})
	}
}

func TestRunStopsEveryWorkerOnceAnyGetSaysTheSourceShutDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		// The source hides the Queue's ShutDownNotify: Run learns of the shutdown from a Get.
		src := reconcile.SourceFuncs[string]{GetFunc: q.Get, DoneFunc: q.Done}
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		limiter := rate.NewLimiter(rate.Every(2*time.Hour), 2)
		errc := goRun[string](ctx, src, nopSync[string](), reconcile.WithParallelism(2), reconcile.WithRateLimit(limiter))
		synctest.Wait() // one worker synced a and waits for a token; the other, with the second token, is in Get
		start := time.Now()
		q.ShutDown()
		require.NoError(t, returnsWithin(t, errc, time.Second))
		assert.Equal(t, start, time.Now(), "the worker waiting for a token stopped when the other's Get said shut down")
	})
}

func TestRunOverADrainedQueueSyncsAKeyAddedWhileItWasProcessed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		syncs := 0
		sync := reconcile.SyncFunc[string](func(context.Context, string) error {
			if syncs++; syncs == 1 {
				require.NoError(t, q.Add("a")) // added while processed: due once more
				q.Drain()
				synctest.Wait() // the other worker's Get sees the drained queue
			}
			return nil
		})
		err := reconcile.Run(t.Context(), q, sync, reconcile.WithParallelism(2))
		require.NoError(t, err)
		assert.Equal(t, 2, syncs, "the key added while it was processed was synced once more")
	})
}

func TestRunLetsTheSyncsInFlightFinishWhenTheSourceShutsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		var cancelled error
		errc := goRun(t.Context(), q, reconcile.SyncFunc[string](func(ctx context.Context, _ string) error {
			q.ShutDown()
			time.Sleep(time.Minute) // still working after the shutdown
			cancelled = ctx.Err()
			return nil
		}), reconcile.WithParallelism(3))
		start := time.Now()
		require.NoError(t, returnsWithin(t, errc, time.Hour))
		assert.Equal(t, time.Minute, time.Since(start), "Run waited for the sync")
		assert.NoError(t, cancelled, "a shutdown does not cancel the syncs in flight")
	})
}
