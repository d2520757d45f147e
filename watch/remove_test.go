package watch_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestAnAddAfterAnEarlyRemoveWaitsForTheOldLoopOfTheName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		h.block = make(chan struct{}) // the handler returns 1s after its context is cancelled
		old := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		renewed := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("b", "1"))))
		w := watch.New(h)
		require.NoError(t, w.Add("pods", old))
		run := start(t, w)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, w.Remove(ctx, "pods"), context.DeadlineExceeded)
		begin := time.Now()
		require.NoError(t, w.Add("pods", renewed))
		assert.Zero(t, time.Since(begin), "Add blocked")
		synctest.Wait()
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls(), "the new resource started before the old one's handler returned")
		assert.Empty(t, renewed.Calls())
		assert.Equal(t, watch.StatePending, w.Status()["pods"].State)
		time.Sleep(time.Second) // the old handler returns
		synctest.Wait()
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@1"}, h.Calls())
		assert.False(t, h.overlap, "the handler was called twice at once for one resource")
		close(h.block)
		require.NoError(t, run.stop())
	})
}

func TestAHandlerMayRemoveAndAddAgainItsOwnResource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		renewed := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("b", "1"))))
		var w *watch.Watcher
		var mu sync.Mutex
		var calls []string
		inflight, overlap := 0, false
		w = watch.New(watch.HandlerFunc(func(ctx context.Context, name string, ev apiwatch.Event) error {
			mu.Lock()
			overlap = overlap || inflight > 0
			inflight++
			calls = append(calls, describe(ev))
			first := len(calls) == 1
			mu.Unlock()
			if first {
				assert.ErrorIs(t, w.Remove(ctx, name), watch.ErrRemoved)
				assert.NoError(t, w.Add(name, renewed))
				time.Sleep(time.Second) // the new resource must not start meanwhile
			}
			mu.Lock()
			inflight--
			mu.Unlock()
			return nil
		}))
		require.NoError(t, w.Add("pods", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		run := start(t, w)
		time.Sleep(2 * time.Second)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@1"}, calls)
		assert.False(t, overlap, "the handler was called twice at once for one resource")
	})
}

func TestAddRemoveStatusAndRunAreSafeConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		w := watch.New(h, watch.WithPolicy(policy))
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				for j := range 50 {
					name := "r" + strconv.Itoa((i*50+j)%7)
					src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj(name, strconv.Itoa(j+1))), watchtest.Close()))
					_ = w.Add(name, src)
					_ = w.Status()
					_ = w.Healthy()
					if j%3 == 0 {
						ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
						_ = w.Remove(ctx, name)
						cancel()
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Go(func() {
			for range 10 {
				ctx, cancel := context.WithTimeout(t.Context(), 7*time.Millisecond)
				assert.NoError(t, w.Run(ctx))
				cancel()
			}
		})
		wg.Wait()
		assert.False(t, h.overlap, "the handler was called twice at once for one resource")
	})
}

func TestAResourceRemovedBeforeItsGiveUpIsReportedDoesNotEndRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w *watch.Watcher
		ended, cancel := context.WithCancel(t.Context())
		cancel()
		w = watch.New(newRecorder(), watch.WithHooks(watch.Hooks{OnGiveUp: func(gu *watch.GiveUpError) {
			_ = w.Remove(ended, gu.Resource)
		}}))
		require.NoError(t, w.Add("bad", watchtest.NewSource(watchtest.Fail(apierrors.NewForbidden(pods, "", errors.New("no"))))))
		require.NoError(t, w.Add("good", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop(), "Run ended for a resource that was removed")
		assert.NotContains(t, w.Status(), "bad")
	})
}
