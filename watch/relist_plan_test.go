package watch_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestAListWithTheSameKeyTwiceDeliversItOnceTheLastOneWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")), watchtest.Gone()),
			watchtest.Stream())
		src.SetList(listOf("9", obj("a", "3"), obj("b", "2"), obj("c", "5"), obj("a", "4"), obj("c", "5"),
			obj("b", "6"), obj("b", "2")))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("0")))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "MODIFIED a@4", "ADDED c@5"}, h.Calls(),
			"one event per key, with the last object listed for it, at the place of the first")
	})
}

func TestSyntheticDeletesKeepNamespaceAndNameApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A cluster-scoped object named "a/b" (as sources adapted from etcd keys have) and the
		// namespaced object b in namespace a are two objects.
		cluster, namespaced := watchtest.Object("", "a/b", "1"), watchtest.Object("a", "b", "2")
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(cluster), watchtest.Added(namespaced), watchtest.Gone()),
			watchtest.Stream())
		src.SetList(listOf("5"))
		var mu sync.Mutex
		var deleted []metav1.ObjectMeta
		w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			if ts, ok := ev.Object.(*watch.Tombstone); ok {
				mu.Lock()
				deleted = append(deleted, ts.ObjectMeta)
				mu.Unlock()
			}
			return nil
		}))
		require.NoError(t, w.Add("things", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []metav1.ObjectMeta{
			{Name: "a/b", ResourceVersion: "1"},
			{Namespace: "a", Name: "b", ResourceVersion: "2"},
		}, deleted, "in key order: namespace, then name")
	})
}

func TestARelistStoppedHalfwayRedeliversOnlyWhatWasNotAcknowledged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()), watchtest.Stream())
		src.SetList(listOf("9", obj("a", "1"), obj("b", "2"), obj("c", "3")))
		h := newRecorder()
		stuck := true // b is stuck until the first Run stops; read and written on the resource's goroutine
		w := watch.New(watch.HandlerFunc(func(ctx context.Context, res string, ev apiwatch.Event) error {
			if err := h.Handle(ctx, res, ev); err != nil || describe(ev) != "ADDED b@2" || !stuck {
				return err
			}
			stuck = false
			<-ctx.Done()
			return ctx.Err()
		}))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("0")))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		run = start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "ADDED b@2", "ADDED c@3"}, h.Calls(),
			"a was acknowledged and not delivered again; b was not and was")
		assert.Len(t, src.ListCalls(), 2)
	})
}
