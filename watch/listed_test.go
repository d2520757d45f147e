package watch_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// listed is a list the caller made itself, as an informer-style controller does before it
// starts watching.
func listed(rv string, objs ...*metav1.PartialObjectMetadata) *metav1.PartialObjectMetadataList {
	l := &metav1.PartialObjectMetadataList{ListMeta: metav1.ListMeta{ResourceVersion: rv}}
	for _, o := range objs {
		l.Items = append(l.Items, *o)
	}
	return l
}

func TestObjectsTheCallerListedAreKnownSoARelistNeverLosesTheirDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Gone()), watchtest.Stream())
		src.SetList(listOf("9", obj("a", "1")))
		c := watch.NewCache[partial]()
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c),
			watch.WithListed(listed("3", obj("a", "1"), obj("b", "2")))))
		assert.Equal(t, []string{"ns/a@1", "ns/b@2"}, names(c.List()), "the cache holds them from the start")
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"DELETED b@2"}, h.Calls(), "listed objects are not handed over, their delete is")
		assert.Equal(t, "3", src.Calls()[0].ResourceVersion, "the watch starts from the caller's list")
		assert.Len(t, src.ListCalls(), 1, "only the relist lists")
	})
}

func TestWithListedAndNoListerStartsFromTheListsVersion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream())
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src, watch.WithListed(listed("3", obj("a", "1")))))
		run := start(t, w)
		require.NoError(t, w.WaitSynced(t.Context()))
		require.NoError(t, run.stop())
		assert.Equal(t, "3", src.Calls()[0].ResourceVersion)
	})
}

func TestAListedListThatCannotBeReadIsRejectedByAdd(t *testing.T) {
	c := watch.NewCache[partial]()
	tests := []struct {
		name string
		opts []watch.ResourceOption
	}{
		{"nil", []watch.ResourceOption{watch.WithListed(nil)}},
		{"typed nil", []watch.ResourceOption{watch.WithListed((*metav1.PartialObjectMetadataList)(nil))}},
		{"not a list", []watch.ResourceOption{watch.WithListed(obj("a", "1"))}},
		{"no resourceVersion", []watch.ResourceOption{watch.WithListed(listed("", obj("a", "1")))}},
		{"an item without metadata", []watch.ResourceOption{watch.WithList(listOf("1")), watch.WithListed(&metav1.List{
			ListMeta: metav1.ListMeta{ResourceVersion: "3"}, Items: []runtime.RawExtension{{}}})}},
		{"an item not of the cache's type", []watch.ResourceOption{watch.WithList(listOf("1")), watch.WithCache(c),
			watch.WithListed(&metav1.List{
				ListMeta: metav1.ListMeta{ResourceVersion: "3"},
				Items:    []runtime.RawExtension{{Object: &watch.Tombstone{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "1"}}}}})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := watch.New(newRecorder())
			assert.ErrorIs(t, w.Add("pods", watchtest.NewSource(), tt.opts...), watch.ErrMalformed)
			assert.Empty(t, w.Status(), "nothing was added")
		})
	}
	w := watch.New(newRecorder())
	assert.NoError(t, w.Add("pods", watchtest.NewSource(), watch.WithList(listOf("1")), watch.WithCache(c)),
		"a rejected Add leaves the cache free")
}
