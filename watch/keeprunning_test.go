package watch_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestWithKeepRunningAResourceThatGivesUpLeavesTheOthersRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bad := watchtest.NewSource(watchtest.Fail(apierrors.NewForbidden(pods, "", nil)))
		good := watchtest.NewSource(watchtest.Stream())
		var gaveUp []string
		h := newRecorder()
		w := watch.New(h, watch.WithKeepRunning(),
			watch.WithHooks(watch.Hooks{OnGiveUp: func(e *watch.GiveUpError) { gaveUp = append(gaveUp, e.Resource) }}))
		require.NoError(t, w.Add("bad", bad))
		require.NoError(t, w.Add("good", good))
		run := start(t, w)
		synctest.Wait()
		assert.Equal(t, []string{"bad"}, gaveUp)
		assert.False(t, w.Healthy(), "a resource gave up")
		assert.Equal(t, watch.StateFailed, w.Status()["bad"].State)
		assert.Equal(t, watch.StateWatching, w.Status()["good"].State, "the others keep watching")
		select {
		case err := <-run.errc:
			t.Fatalf("Run returned %v while its context runs", err)
		default:
		}
		good.Push(watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()))
		require.NoError(t, w.Remove(t.Context(), "good"))
		require.NoError(t, w.Add("good", good, watch.WithResourceVersion("0")))
		synctest.Wait()
		assert.Contains(t, h.Calls(), "ADDED a@1", "a resource added after the give-up runs")
		assert.NoError(t, run.stop(), "Run returns nil when its context ends")
	})
}

func TestAnObjectWithoutAResourceVersionIsDeliveredAndTheResumePointStays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// client-go's fake clientset: the list has a version, its objects have none.
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("b", "")), watchtest.Deleted(obj("a", "")), watchtest.Close()),
			watchtest.Stream(watchtest.Modified(obj("b", ""))))
		src.SetList(listOf("3", obj("a", "")))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@", "ADDED b@", "DELETED a@", "MODIFIED b@"}, h.Calls())
		assert.True(t, w.Healthy())
		calls := src.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "3", calls[1].ResourceVersion, "the watch resumes from the last version it had")
	})
}

func TestARelistDeliversAKnownObjectWithoutAResourceVersionAsModified(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Gone()), watchtest.Stream())
		src.SetList(listOf("3", obj("a", "")))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@", "MODIFIED a@"}, h.Calls(), "without a version, it may have changed")
	})
}
