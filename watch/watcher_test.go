package watch_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestAWatcherThatNeverRunsStartsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src))
		synctest.Wait() // whatever New or Add started has run
		assert.Empty(t, src.Calls(), "New and Add must not open a stream")
		assert.Equal(t, watch.StatePending, w.Status()["pods"].State)
		assert.True(t, w.Healthy())
		require.NoError(t, w.Remove(t.Context(), "pods"))
		// synctest (and goleak in TestMain) check that no goroutine was left behind.
	})
}

func TestAddRejectsDuplicatesAndEmptyArguments(t *testing.T) {
	w := watch.New(newRecorder())
	src := watchtest.NewSource()
	require.NoError(t, w.Add("pods", src))
	assert.ErrorIs(t, w.Add("pods", src), watch.ErrExists)
	assert.Error(t, w.Add("", src))
	assert.Error(t, w.Add("nodes", nil))
	assert.ErrorIs(t, w.Remove(t.Context(), "nodes"), watch.ErrUnknownResource)
}

func TestResourcesAddedWhileRunningStartAtOnceAndRunConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		h.block = make(chan struct{})
		w := watch.New(h)
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, w.Add("pods", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		require.NoError(t, w.Add("nodes", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("n", "7"))))))
		synctest.Wait()
		assert.ElementsMatch(t, []string{"ADDED a@1", "ADDED n@7"}, h.Calls(),
			"both handlers run at once, each blocked on its own resource")
		close(h.block)
		require.NoError(t, run.stop())
	})
}

func TestRemoveWaitsForTheRunningHandlerAndOthersGoOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		h.block = make(chan struct{}) // handlers return only when cancelled
		pods := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		nodes := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("n", "1"))))
		w := watch.New(h)
		require.NoError(t, w.Add("pods", pods))
		require.NoError(t, w.Add("nodes", nodes))
		run := start(t, w)
		synctest.Wait()
		begin := time.Now()
		require.NoError(t, w.Remove(t.Context(), "pods"))
		assert.Equal(t, time.Second, time.Since(begin), "Remove returned before the handler did")
		assert.Zero(t, pods.Open(), "the removed resource's stream was not stopped")
		assert.Equal(t, 1, nodes.Open(), "the other resource must go on")
		assert.NotContains(t, w.Status(), "pods")
		require.NoError(t, run.stop())
	})
}

func TestAHandlerMayRemoveItsOwnResourceWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w *watch.Watcher
		removed := make(chan error, 1)
		w = watch.New(watch.HandlerFunc(func(ctx context.Context, name string, _ apiwatch.Event) error {
			removed <- w.Remove(ctx, name)
			return nil
		}))
		require.NoError(t, w.Add("pods", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		run := start(t, w)
		err := <-removed
		assert.ErrorIs(t, err, watch.ErrRemoved, "Remove returns the handler context's cause instead of waiting for itself")
		synctest.Wait()
		assert.Empty(t, w.Status())
		require.NoError(t, run.stop())
	})
}

func TestRunIsExclusiveAndValidatesThePolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := watch.New(newRecorder())
		run := start(t, w)
		synctest.Wait()
		assert.ErrorIs(t, w.Run(t.Context()), watch.ErrRunning)
		require.NoError(t, run.stop())
	})
	bad := watch.New(newRecorder(), watch.WithPolicy(backoff.Policy{Multiplier: 0.5}))
	assert.ErrorIs(t, bad.Run(t.Context()), backoff.ErrInvalidPolicy)
}

func TestStatusReportsStateAttemptsVersionAndLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "4")), watchtest.Close()),
			watchtest.Fail(watchtest.GoneError()),
			watchtest.Fail(assert.AnError), watchtest.Fail(assert.AnError), watchtest.Stream())
		w := watch.New(newRecorder(), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		begin := time.Now()
		run := start(t, w)
		synctest.Wait() // a@4 handled, the 410 resynced from "", the first failure backing off 1s
		st := w.Status()["pods"]
		assert.Equal(t, watch.StateBackoff, st.State)
		assert.Equal(t, 1, st.Attempts)
		assert.ErrorIs(t, st.LastError, assert.AnError)
		assert.Equal(t, "", st.ResourceVersion, "a 410 without a lister restarts from scratch")
		assert.Equal(t, begin, st.Since)
		time.Sleep(time.Minute)
		st = w.Status()["pods"]
		assert.Equal(t, watch.StateWatching, st.State)
		assert.Equal(t, begin.Add(3*time.Second), st.Since)
		assert.Equal(t, 2, st.Attempts, "no event received since the failures")
		assert.True(t, w.Healthy())
		require.NoError(t, run.stop())
		assert.Equal(t, watch.StateStopped, w.Status()["pods"].State)
	})
}

func TestRemoveStopsWaitingWhenItsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		h.block = make(chan struct{}) // the handler takes 1s after its context is cancelled
		w := watch.New(h)
		require.NoError(t, w.Add("pods", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		run := start(t, w)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, w.Remove(ctx, "pods"), context.DeadlineExceeded)
		assert.NotContains(t, w.Status(), "pods", "removed even though Remove did not wait")
		require.NoError(t, run.stop(), "Run still waits for the removed resource's handler")
	})
}
