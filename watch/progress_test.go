package watch_test

import (
	"context"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// restarts records the Restart hook's calls; hooks run on the resource's goroutine, and tests
// read it only after Run returned or under synctest.Wait.
type restarts []watch.Restart

func (r *restarts) hook() watch.Option {
	return watch.WithHooks(watch.Hooks{OnRestart: func(x watch.Restart) { *r = append(*r, x) }})
}

func (r restarts) delays() []time.Duration {
	var d []time.Duration
	for _, x := range r {
		d = append(d, x.Delay)
	}
	return d
}

func unavailable() error { return apierrors.NewServiceUnavailable("down") }

func TestAttemptsStartOverAfterAnEvent(t *testing.T) {
	tests := []struct {
		name     string
		progress watchtest.Item
	}{
		{"an event", watchtest.Added(obj("a", "1"))},
		{"a bookmark that moves the resume point", watchtest.Bookmark("5")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Fail(unavailable()), watchtest.Fail(unavailable()),
					watchtest.Fail(unavailable()),
					watchtest.Stream(tt.progress, watchtest.Error(unavailable())),
					watchtest.Fail(unavailable()), watchtest.Stream())
				var rs restarts
				w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
				require.NoError(t, w.Add("pods", src))
				run := start(t, w)
				time.Sleep(time.Minute)
				require.NoError(t, run.stop())
				want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second, 2 * time.Second}
				assert.Equal(t, want, rs.delays(), "after the stream's progress the backoff starts over")
				require.Len(t, rs, 5)
				assert.Equal(t, 1, rs[3].Attempt)
			})
		})
	}
}

func TestTheDeadlineStartsOverAfterAnEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Failing for 50s, an event, then failing again: the budget of a minute counts from
		// the first failure after the event.
		src := watchtest.NewSource()
		src.Then(func(call int, _ metav1.ListOptions) watchtest.Open {
			if call == 5 { // at 31s
				return watchtest.Stream(watchtest.Delay(19*time.Second), watchtest.Added(obj("a", "1")),
					watchtest.Error(unavailable()))
			}
			return watchtest.Fail(unavailable())
		})
		w := watch.New(newRecorder(), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		begin := time.Now()
		err := w.Run(t.Context())
		assert.ErrorIs(t, err, backoff.ErrDeadline)
		assert.Equal(t, 50*time.Second+time.Minute, time.Since(begin), "gave up a minute after the event at 50s")
	})
}

func TestABookmarkThatDoesNotMoveTheResumePointIsNoProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(unavailable()), watchtest.Fail(unavailable()),
			watchtest.Stream(watchtest.Bookmark("3"), watchtest.Error(unavailable())), watchtest.Stream())
		var rs restarts
		w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
		require.NoError(t, w.Add("pods", src, watch.WithResourceVersion("3")))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, rs.delays())
	})
}

func TestRelistsThatNeverReachAStreamEventGiveUpAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource()
		src.Then(func(call int, _ metav1.ListOptions) watchtest.Open {
			if call > 1000 { // ends relists back to back with no delay, which would never let fake time pass
				return watchtest.Stream()
			}
			return watchtest.Fail(watchtest.GoneError())
		})
		lists := 0 // the list is called on the resource's goroutine only
		src.SetList(func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
			lists++ // every list has a change to deliver
			return []runtime.Object{obj("a", strconv.Itoa(lists))}, strconv.Itoa(lists), nil
		})
		var rs restarts
		w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour) // ends a relist that would go on forever
		defer cancel()
		begin := time.Now()
		err := w.Run(ctx)
		var gu *watch.GiveUpError
		require.ErrorAs(t, err, &gu, "still relisting after %v", time.Since(begin))
		assert.ErrorIs(t, gu.Reason, backoff.ErrDeadline)
		assert.Equal(t, time.Minute, time.Since(begin))
		assert.Equal(t, []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
			16 * time.Second, 29 * time.Second}, rs.delays())
	})
}

func TestHandlerFailuresHaveTheirOwnScheduleThatAnAcknowledgementResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A relist of 20 objects whose handler fails once on each: 20 failures in a minute, each
		// retried after the initial delay, none spending the budget of the next.
		var objs []runtime.Object
		h := newRecorder()
		for i := range 20 {
			o := obj("o"+strconv.Itoa(i), strconv.Itoa(i+1))
			objs = append(objs, o)
			h.fail[describe(apiwatch.Event{Type: apiwatch.Added, Object: o})] = 1
		}
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()), watchtest.Stream())
		src.SetList(listOf("30", objs...))
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Len(t, h.Calls(), 40, "every object delivered, each after one failure")
		assert.Equal(t, "30", w.Status()["pods"].ResourceVersion)
		for i, gap := range h.Gaps() {
			if i%2 == 0 {
				assert.Equal(t, time.Second, gap, "redelivery %d", i/2)
			}
		}
	})
}
