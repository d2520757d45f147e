package watch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// listOf answers a List with objs at resourceVersion rv.
func listOf(rv string, objs ...runtime.Object) func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
	return func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) { return objs, rv, nil }
}

func TestExpiredWithAListerRelistsDeliversChangesAndSyntheticDeletes(t *testing.T) {
	gone := map[string]watchtest.Open{
		"mid-stream": watchtest.Stream(watchtest.Gone()),
		"at open":    watchtest.Fail(watchtest.GoneError()),
	}
	for where, open := range gone {
		t.Run("410 "+where, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(
					watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")),
						watchtest.Added(obj("c", "3")), watchtest.Added(obj("e", "4")), watchtest.Close()),
					open,
					watchtest.Stream(watchtest.Modified(obj("d", "8"))))
				// Since version 4: b changed, c and e were deleted, d was created; a is unchanged.
				src.SetList(listOf("7", obj("a", "1"), obj("b", "5"), obj("d", "6")))
				var relists []watch.Relist
				h := newRecorder()
				w := watch.New(h, watch.WithHooks(watch.Hooks{OnRelist: func(r watch.Relist) { relists = append(relists, r) }}))
				require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("0")))
				run := start(t, w)
				synctest.Wait()
				require.NoError(t, run.stop())

				assert.Equal(t, []string{
					"ADDED a@1", "ADDED b@2", "ADDED c@3", "ADDED e@4",
					"MODIFIED b@5", "ADDED d@6", "DELETED c@3", "DELETED e@4",
					"MODIFIED d@8",
				}, h.Calls())
				require.Len(t, relists, 1)
				assert.True(t, relists[0].Listed)
				assert.True(t, apierrors.IsResourceExpired(relists[0].Err), "cause: %v", relists[0].Err)
				calls := src.Calls()
				require.Len(t, calls, 3)
				assert.Equal(t, "4", calls[1].ResourceVersion)
				assert.Equal(t, "7", calls[2].ResourceVersion, "watch resumes from the list's version")
				require.Len(t, src.ListCalls(), 1)
				assert.Equal(t, "", src.ListCalls()[0].ResourceVersion, "relists read the latest state")
			})
		})
	}
}

func TestSyntheticDeletesCarryATombstoneWithTheLastDeliveredVersion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Gone()), watchtest.Stream())
		src.SetList(listOf("5"))
		var mu sync.Mutex
		var deleted []runtime.Object
		w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			if ev.Type == "DELETED" {
				mu.Lock()
				deleted = append(deleted, ev.Object)
				mu.Unlock()
			}
			return nil
		}))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		require.Len(t, deleted, 1)
		ts, ok := deleted[0].(*watch.Tombstone)
		require.True(t, ok, "got %T", deleted[0])
		assert.Equal(t, "ns", ts.Namespace)
		assert.Equal(t, "a", ts.Name)
		assert.Equal(t, "1", ts.ResourceVersion)
	})
}

func TestAHandlerErrorDuringARelistRedeliversTheSameObject(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()), watchtest.Stream())
		src.SetList(listOf("9", obj("a", "3"), obj("b", "4")))
		h := newRecorder()
		h.fail["ADDED b@4"] = 1
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("2")))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@3", "ADDED b@4", "ADDED b@4"}, h.Calls())
		assert.Len(t, src.ListCalls(), 1, "the list is not fetched again for a handler error")
		assert.Equal(t, "9", src.Calls()[1].ResourceVersion)
	})
}

// resyncer is a recorder that is also told about resyncs.
type resyncer struct {
	*recorder
	resyncs []string
	failing int
}

func (r *resyncer) Resync(_ context.Context, resource string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resyncs = append(r.resyncs, resource)
	if r.failing > 0 {
		r.failing--
		return errors.New("cannot drop state yet")
	}
	return nil
}

func TestExpiredWithoutAListerTellsTheHandlerAndRestartsFromScratch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Gone()),
			watchtest.Stream(watchtest.Added(obj("a", "5"))))
		h := &resyncer{recorder: newRecorder(), failing: 1}
		var relists []watch.Relist
		w := watch.New(h, watch.WithPolicy(policy), watch.WithHooks(watch.Hooks{OnRelist: func(r watch.Relist) { relists = append(relists, r) }}))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"pods", "pods"}, h.resyncs, "a failed Resync is retried")
		assert.Equal(t, []string{"ADDED a@1", "ADDED a@5"}, h.Calls())
		require.Len(t, relists, 1)
		assert.False(t, relists[0].Listed)
		calls := src.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "", calls[1].ResourceVersion, "restarts from scratch")
	})
}

func TestRelistsThatExpireAgainAtOnceBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()), watchtest.Fail(watchtest.GoneError()),
			watchtest.Fail(watchtest.GoneError()), watchtest.Stream())
		src.SetList(listOf("3"))
		var delays []time.Duration
		w := watch.New(newRecorder(), watch.WithPolicy(policy),
			watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { delays = append(delays, r.Delay) }}))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("0")))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []time.Duration{0, time.Second, 2 * time.Second}, delays)
		assert.Len(t, src.ListCalls(), 3)
	})
}

func TestAMalformedListGivesUp(t *testing.T) {
	tests := []struct {
		name string
		list func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error)
	}{
		{"a list without a resourceVersion", listOf("", obj("a", "1"))},
		{"an object without metadata", listOf("5", &runtime.Unknown{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()))
				src.SetList(tt.list)
				w := watch.New(newRecorder())
				require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
				err := w.Run(t.Context())
				assert.ErrorIs(t, err, watch.ErrMalformed)
			})
		})
	}
}

func TestAListRejectedByTheServerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()))
		src.SetList(func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
			return nil, "", apierrors.NewForbidden(pods, "", errors.New("list not allowed"))
		})
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		assert.ErrorIs(t, w.Run(t.Context()), watch.ErrRejected)
	})
}
