package watch_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestEventsOfOneResourceAreHandledInOrderOneAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(
			watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")),
			watchtest.Modified(obj("a", "3")), watchtest.Deleted(obj("b", "4"))))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "MODIFIED a@3", "DELETED b@4"}, h.Calls())
		assert.False(t, h.overlap, "the handler was called again for a resource before it returned")
		assert.Zero(t, src.Open(), "the stream was not stopped")
	})
}

func TestTheNextEventIsReadOnlyAfterTheHandlerReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(
			watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2"))))
		h := newRecorder()
		h.block = make(chan struct{})
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		synctest.Wait()
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls(), "b was read while the handler was busy with a")
		close(h.block)
		synctest.Wait()
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2"}, h.Calls())
		require.NoError(t, run.stop())
	})
}

func TestWatchOpensWithBookmarksAndResumesAfterTheLastAcknowledgedEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Modified(obj("a", "2")), watchtest.Close()),
			watchtest.Stream(watchtest.Modified(obj("a", "3"))))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		calls := src.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "", calls[0].ResourceVersion)
		assert.True(t, calls[0].AllowWatchBookmarks)
		assert.Equal(t, "2", calls[1].ResourceVersion, "must resume after the last handled event")
		assert.True(t, calls[1].AllowWatchBookmarks)
		assert.Equal(t, []string{"ADDED a@1", "MODIFIED a@2", "MODIFIED a@3"}, h.Calls())
	})
}

func TestBookmarksAdvanceTheResumePointWithoutCallingTheHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Bookmark("9"), watchtest.Close()),
			watchtest.Stream())
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		synctest.Wait()
		assert.Equal(t, "9", w.Status()["pods"].ResourceVersion)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls())
		assert.Equal(t, "9", src.Calls()[1].ResourceVersion)
	})
}

func TestAHandlerErrorRedeliversTheSameEventAfterBackoffOnTheSameStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(
			watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2"))))
		h := newRecorder()
		h.fail["ADDED a@1"] = 2
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute) // fake time
		assert.Equal(t, []string{"ADDED a@1", "ADDED a@1", "ADDED a@1", "ADDED b@2"}, h.Calls())
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 0}, h.Gaps(), "backoff of 1s then 2s between deliveries")
		assert.Len(t, src.Calls(), 1, "the stream stays open while the handler is retried")
		require.NoError(t, run.stop())
	})
}

func TestANormalCloseReopensAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()),
			watchtest.Stream(watchtest.Added(obj("b", "2")), watchtest.Close()),
			watchtest.Stream())
		var restarts []watch.Restart
		w := watch.New(newRecorder(), watch.WithPolicy(policy),
			watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarts = append(restarts, r) }}))
		require.NoError(t, w.Add("pods", src))
		begin := time.Now()
		run := start(t, w)
		synctest.Wait()
		assert.Zero(t, time.Since(begin), "no backoff after a normal close")
		require.NoError(t, run.stop())
		assert.Len(t, src.Calls(), 3)
		assert.Equal(t, []watch.Restart{{Resource: "pods"}, {Resource: "pods"}}, restarts)
	})
}

func TestStreamsThatCloseAtOnceWithNoEventAgainAndAgainBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Close()), watchtest.Stream(watchtest.Close()),
			watchtest.Stream(watchtest.Close()), watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()),
			watchtest.Stream(watchtest.Close()), watchtest.Stream())
		var delays []time.Duration
		w := watch.New(newRecorder(), watch.WithPolicy(policy),
			watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { delays = append(delays, r.Delay) }}))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		want := []time.Duration{0, time.Second, time.Second, 0, 0}
		assert.Equal(t, want, delays, "the first quick empty close is free, the next ones wait the first delay; an event resets")
		assert.ErrorIs(t, w.Status()["pods"].LastError, watch.ErrClosedEarly)
	})
}

func TestAnIdleStreamIsReopenedAfterTheIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Delay(9*time.Second),
				watchtest.Bookmark("5"), watchtest.Delay(time.Hour), watchtest.Added(obj("never", "6"))),
			watchtest.Stream())
		var restarts []watch.Restart
		h := newRecorder()
		w := watch.New(h, watch.WithIdleTimeout(10*time.Second),
			watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarts = append(restarts, r) }}))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(25 * time.Second) // fake time: idle from the bookmark at 9s to 19s, then a new stream
		require.NoError(t, run.stop())
		require.Len(t, restarts, 1)
		assert.ErrorIs(t, restarts[0].Err, watch.ErrIdle)
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls())
		require.Len(t, src.Calls(), 2)
		assert.Equal(t, "5", src.Calls()[1].ResourceVersion)
	})
}

func TestStoppingWaitsForARunningHandlerAndCancelsItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		h := newRecorder()
		h.block = make(chan struct{}) // never closed: the handler returns only when cancelled
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		synctest.Wait()
		begin := time.Now()
		require.NoError(t, run.stop())
		assert.Equal(t, time.Second, time.Since(begin), "Run returned before the handler did")
		assert.Equal(t, watch.StateStopped, w.Status()["pods"].State)
	})
}

func TestRunAgainResumesWhereTheLastRunStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "4"))))
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src, watch.WithResourceVersion("3")))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		run = start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		calls := src.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "3", calls[0].ResourceVersion, "WithResourceVersion sets the first resume point")
		assert.Equal(t, "4", calls[1].ResourceVersion)
	})
}

func TestTheHandlersTimeDoesNotCountAsIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2"))))
		var restarts []watch.Restart
		slow := watch.HandlerFunc(func(ctx context.Context, _ string, _ apiwatch.Event) error {
			time.Sleep(time.Minute) // fake time: far longer than the idle timeout
			return nil
		})
		w := watch.New(slow, watch.WithIdleTimeout(10*time.Second),
			watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarts = append(restarts, r) }}))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(2*time.Minute + 5*time.Second)
		require.NoError(t, run.stop())
		assert.Empty(t, restarts, "a slow handler made the stream look idle")
		assert.Equal(t, "2", w.Status()["pods"].ResourceVersion)
	})
}

func TestListOptionsCarrySelectorsToEveryWatchAndList(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()), watchtest.Stream())
		w := watch.New(newRecorder())
		base := metav1.ListOptions{LabelSelector: "app=web", FieldSelector: "spec.nodeName=n1",
			ResourceVersion: "ignored", ResourceVersionMatch: metav1.ResourceVersionMatchExact}
		require.NoError(t, w.Add("pods", src, watch.WithListOptions(base), watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		for _, opts := range append(src.Calls(), src.ListCalls()...) {
			assert.Equal(t, "app=web", opts.LabelSelector)
			assert.Equal(t, "spec.nodeName=n1", opts.FieldSelector)
			assert.Empty(t, opts.ResourceVersionMatch)
		}
		assert.Equal(t, "", src.ListCalls()[0].ResourceVersion, "the Watcher sets the version itself")
		assert.Equal(t, "1", src.Calls()[0].ResourceVersion, "watchtest's default list is at version 1")
		assert.Equal(t, "1", src.Calls()[1].ResourceVersion, "and so is the relist's")
	})
}
