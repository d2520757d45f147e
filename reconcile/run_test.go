package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// startRun runs Run on its own goroutine and returns a function that cancels it and returns
// its error.
func startRun[K comparable](t *testing.T, src reconcile.Source[K], sync reconcile.Sync[K], opts ...reconcile.RunOption) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- reconcile.Run(ctx, src, sync, opts...) }()
	return func() error { cancel(); return <-errc }
}

func TestRunReportsEachSyncErrorAsItsOutcome(t *testing.T) {
	errBoom := errors.New("boom")
	results := map[string]error{
		"ok":        nil,
		"fails":     errBoom,
		"busy":      backoff.RetryAfter(time.Minute, errBoom),
		"bad":       backoff.Permanent(errBoom),
		"bad-after": backoff.Permanent(backoff.RetryAfter(time.Minute, errBoom)),
	}
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.Push("ok", "fails", "busy", "bad", "bad-after")
		src.Close()
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(_ context.Context, key string) error {
			return results[key]
		}))
		require.NoError(t, err, "a source that shuts down ends Run quietly")
		got := map[string]reconcile.Outcome{}
		for _, r := range src.Reports() {
			got[r.Key] = r.Outcome
		}
		assert.Equal(t, map[string]reconcile.Outcome{
			"ok":        {Kind: reconcile.OutcomeDone},
			"fails":     {Kind: reconcile.OutcomeRetry, Err: errBoom},
			"busy":      {Kind: reconcile.OutcomeRetryAfter, Err: results["busy"], After: time.Minute},
			"bad":       {Kind: reconcile.OutcomeDropped, Err: errBoom},
			"bad-after": {Kind: reconcile.OutcomeDropped, Err: backoff.RetryAfter(time.Minute, errBoom)},
		}, got)
		assert.Empty(t, src.Violations())
	})
}

func TestRunNeverSyncsOneKeyConcurrentlyUnderContention(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	q := newQueue(t)
	var (
		mu       sync.Mutex
		holding  = map[string]bool{}
		overlaps int
	)
	syncer := reconcile.SyncFunc[string](func(_ context.Context, key string) error {
		mu.Lock()
		overlaps += btoi(holding[key])
		holding[key] = true
		mu.Unlock()
		runtime.Gosched() // widen the window in which a second holder would show
		mu.Lock()
		holding[key] = false
		mu.Unlock()
		if len(key)%2 == 0 {
			return backoff.RetryAfter(0, errors.New("again")) // straight back into the queue
		}
		return nil
	})
	errc := make(chan error, 1)
	go func() { errc <- reconcile.Run(t.Context(), q, syncer, reconcile.WithParallelism(8)) }()
	var producers sync.WaitGroup
	for range 4 {
		producers.Go(func() {
			for i := range 2000 {
				assert.NoError(t, q.Add(fmt.Sprint("k", i%10)))
			}
		})
	}
	producers.Wait()
	q.ShutDown()
	require.NoError(t, <-errc)
	assert.Zero(t, overlaps, "a key was synced by two workers at once")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRunReturnsOnlyAfterTheSyncsInFlightFinishAndAreReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		src.Push("a", "b")
		var finished atomic.Int32
		stop := startRun(t, &src, reconcile.SyncFunc[string](func(ctx context.Context, _ string) error {
			<-ctx.Done()
			time.Sleep(time.Second) // cleaning up after the cancel
			finished.Add(1)
			return ctx.Err()
		}), reconcile.WithParallelism(2))
		synctest.Wait()
		require.Equal(t, 2, src.Out(), "both keys in flight")
		start := time.Now()
		require.NoError(t, stop())
		assert.Equal(t, time.Second, time.Since(start), "Run waited for the syncs")
		assert.Equal(t, int32(2), finished.Load())
		assert.Zero(t, src.Out(), "every key taken was reported to Done")
		assert.Len(t, src.Reports(), 2)
	})
}

func TestRunStopsAndReturnsTheSourcesGetError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		errDB := errors.New("database gone")
		src.FailGet(errDB)
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(context.Context, string) error { return nil }),
			reconcile.WithParallelism(3))
		assert.ErrorIs(t, err, errDB)
	})
}

func TestRunHooksSeeEverySyncDropAndFailedReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		errLease := errors.New("lease lost")
		src.FailDone("b", errLease)
		src.Push("a", "b")
		src.Close()
		var events []string
		hooks := reconcile.Hooks{
			OnSyncStart: func(k any) { events = append(events, fmt.Sprint("start ", k)) },
			OnSyncEnd: func(k any, took time.Duration, o reconcile.Outcome) {
				events = append(events, fmt.Sprintf("end %v %v %v", k, took, o.Kind))
			},
			OnDropped:      func(k any, err error) { events = append(events, fmt.Sprintf("dropped %v: %v", k, err)) },
			OnReportFailed: func(k any, err error) { events = append(events, fmt.Sprintf("report %v: %v", k, err)) },
		}
		err := reconcile.Run(t.Context(), &src, reconcile.SyncFunc[string](func(_ context.Context, k string) error {
			time.Sleep(time.Second)
			if k == "a" {
				return backoff.Permanent(errors.New("no such thing"))
			}
			return nil
		}), reconcile.WithHooks(hooks))
		require.NoError(t, err)
		assert.Equal(t, []string{
			"start a", "end a 1s dropped", "dropped a: no such thing",
			"start b", "end b 1s done", "report b: lease lost",
		}, events)
	})
}

func TestRunRejectsOptionsOfAnotherKeyTypeAndMissingArguments(t *testing.T) {
	var src reconciletest.Source[string]
	sync := reconcile.SyncFunc[string](func(context.Context, string) error { return nil })
	tests := []struct {
		name string
		run  func() error
	}{
		{"rate limit with no burst", func() error {
			return reconcile.Run(t.Context(), &src, sync, reconcile.WithRateLimit(rate.NewLimiter(10, 0)))
		}},
		{"nil source", func() error { return reconcile.Run[string](t.Context(), nil, sync) }},
		{"nil sync", func() error { return reconcile.Run[string](t.Context(), &src, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, tt.run())
		})
	}
}

func TestRunThatNeverRunsOrIsCancelledLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	q := newQueue(t)
	require.NoError(t, q.AddAfter("later", time.Hour)) // a timer armed, never fired
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.NoError(t, reconcile.Run(ctx, q, reconcile.SyncFunc[string](func(context.Context, string) error { return nil }),
		reconcile.WithParallelism(4), reconcile.WithResync(q, time.Minute, func(context.Context) ([]string, error) { return nil, nil })))
	q.ShutDown()
}
