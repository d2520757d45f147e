package watch_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func isStreamingList(o metav1.ListOptions) bool {
	return o.SendInitialEvents != nil && *o.SendInitialEvents &&
		o.ResourceVersionMatch == metav1.ResourceVersionMatchNotOlderThan && o.ResourceVersion == "" && o.AllowWatchBookmarks
}

func TestAStreamingListDeliversTheInitialEventsAndSyncsAtTheClosingBookmark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")),
			watchtest.Bookmark("3"), watchtest.InitialEventsEnd("5"), watchtest.Added(obj("c", "6"))))
		h := &syncRecorder{recorder: newRecorder()}
		h.block = make(chan struct{})
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithStreamingList()))
		run := start(t, w)
		synctest.Wait()
		assert.False(t, w.Synced(), "not synced before the closing bookmark")
		assert.Equal(t, "", w.Status()["pods"].ResourceVersion, "no resume point inside the initial events")
		close(h.block)
		synctest.Wait()
		assert.True(t, w.Synced())
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "SYNCED pods", "ADDED c@6"}, h.Calls())
		assert.Empty(t, src.ListCalls(), "no list call")
		require.Len(t, src.Calls(), 1)
		assert.True(t, isStreamingList(src.Calls()[0]), "options: %+v", src.Calls()[0])
		assert.Equal(t, "6", w.Status()["pods"].ResourceVersion)
	})
}

func TestAStreamingListAfter410DeliversOnlyTheDifferencesAndTombstones(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")), watchtest.Added(obj("c", "3")),
				watchtest.InitialEventsEnd("3"), watchtest.Gone()),
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "7")), watchtest.InitialEventsEnd("8")))
		c := watch.NewCache[partial]()
		h := &syncRecorder{recorder: newRecorder()}
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithStreamingList(), watch.WithCache(c)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "ADDED c@3", "SYNCED pods",
			"MODIFIED b@7", "DELETED c@3", "SYNCED pods"}, h.Calls())
		assert.Equal(t, []string{"ns/a@1", "ns/b@7"}, names(c.List()))
		assert.True(t, isStreamingList(src.Calls()[1]), "the relist streams too")
	})
}

func TestAStreamingListDroppedBeforeItsBookmarkStartsOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()),
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Added(obj("b", "2")), watchtest.InitialEventsEnd("4")))
		h := &syncRecorder{recorder: newRecorder()}
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithStreamingList()))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "SYNCED pods"}, h.Calls(), "a is delivered once")
		require.Len(t, src.Calls(), 2)
		assert.True(t, isStreamingList(src.Calls()[1]), "the streaming list starts over")
	})
}

func TestAStreamingListTheServerRefusesFallsBackToListAndWatch(t *testing.T) {
	refusals := map[string]error{
		"422": apierrors.NewInvalid(schema.GroupKind{Kind: "ListOptions"}, "", field.ErrorList{field.Forbidden(field.NewPath("sendInitialEvents"), "no")}),
		"400": apierrors.NewBadRequest("unknown parameter sendInitialEvents"),
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Fail(refusal), watchtest.Stream(watchtest.Gone()), watchtest.Stream())
				src.SetList(listOf("5", obj("a", "1")))
				h := &syncRecorder{recorder: newRecorder()}
				w := watch.New(h)
				require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithStreamingList()))
				run := start(t, w)
				synctest.Wait()
				require.NoError(t, run.stop())
				assert.True(t, w.Healthy(), "a refusal is no give-up")
				assert.Equal(t, []string{"ADDED a@1", "SYNCED pods", "SYNCED pods"}, h.Calls())
				calls := src.Calls()
				require.Len(t, calls, 3)
				assert.True(t, isStreamingList(calls[0]))
				assert.False(t, isStreamingList(calls[1]), "after the refusal, a plain watch")
				assert.Equal(t, "5", calls[1].ResourceVersion, "from the list's version")
				assert.Nil(t, calls[1].SendInitialEvents)
				assert.Empty(t, calls[1].ResourceVersionMatch)
				assert.False(t, isStreamingList(calls[2]), "the relist after 410 lists too: the server was asked once")
				assert.Len(t, src.ListCalls(), 2)
			})
		})
	}
}
