package watch_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestASlowHandlerIsNeverCalledAgainBeforeItReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")),
			watchtest.Modified(obj("a", "3"))))
		var mu sync.Mutex
		var calls []string
		var starts []time.Duration
		inflight, overlap := 0, false
		begin := time.Now()
		w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			mu.Lock()
			overlap = overlap || inflight > 0
			inflight++
			calls, starts = append(calls, describe(ev)), append(starts, time.Since(begin))
			mu.Unlock()
			time.Sleep(time.Second) // fake time: a handler doing slow work
			mu.Lock()
			inflight--
			mu.Unlock()
			return nil
		}))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.False(t, overlap, "the handler was called again before it returned")
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "MODIFIED a@3"}, calls)
		assert.Equal(t, []time.Duration{0, time.Second, 2 * time.Second}, starts)
	})
}

func TestAnEventWhoseHandlerFailedIsNotAResumePoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2"))),
			watchtest.Stream(watchtest.Added(obj("b", "2"))))
		h := newRecorder()
		h.fail["ADDED b@2"] = 1
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(500 * time.Millisecond) // stopped during the redelivery's backoff
		require.NoError(t, run.stop())
		assert.Equal(t, "1", w.Status()["pods"].ResourceVersion)
		run = start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, "1", src.Calls()[1].ResourceVersion, "resumed after an event the handler failed")
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "ADDED b@2"}, h.Calls())
	})
}
