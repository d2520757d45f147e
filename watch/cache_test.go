package watch_test

import (
	"context"
	goruntime "runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

type partial = *metav1.PartialObjectMetadata

// onNode is a test object on a node, with a label the tests index by.
func onNode(ns, name, rv, node string) partial {
	o := watchtest.Object(ns, name, rv)
	o.Labels = map[string]string{"node": node}
	return o
}

func byNode(o partial) []string { return []string{o.Labels["node"]} }

// names returns "ns/name@rv" of objects, sorted.
func names(objs []partial) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Namespace+"/"+o.Name+"@"+o.ResourceVersion)
	}
	slices.Sort(out)
	return out
}

func TestTheCacheHasEachEventBeforeTheHandlerSeesIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Modified(obj("a", "6")), watchtest.Added(obj("b", "7")),
			watchtest.Deleted(obj("a", "8"))))
		src.SetList(listOf("5", obj("a", "1")))
		c := watch.NewCache[partial]()
		var problems []string
		w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			m := ev.Object.(metav1.Object)
			got, ok := c.Get(m.GetNamespace(), m.GetName())
			switch {
			case ev.Type == apiwatch.Deleted && ok:
				problems = append(problems, "deleted "+m.GetName()+" still cached")
			case ev.Type != apiwatch.Deleted && (!ok || got.ResourceVersion != m.GetResourceVersion()):
				problems = append(problems, "cache lacks "+m.GetName()+"@"+m.GetResourceVersion())
			}
			return nil
		}))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Empty(t, problems)
		assert.Equal(t, []string{"ns/b@7"}, names(c.List()))
		assert.Equal(t, 1, c.Len())
	})
}

func TestTheCacheListsByNamespaceAndByIndex(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(
			watchtest.Modified(onNode("x", "a", "6", "n2")), watchtest.Deleted(onNode("y", "c", "7", "n1"))))
		src.SetList(listOf("5", onNode("x", "a", "1", "n1"), onNode("x", "b", "2", "n2"), onNode("y", "c", "3", "n1"),
			watchtest.Object("", "cluster", "4")))
		c := watch.NewCache(watch.WithIndex("node", byNode))
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"x/a@6", "x/b@2"}, names(c.ListNamespace("x")))
		assert.Empty(t, c.ListNamespace("y"))
		assert.Equal(t, []string{"/cluster@4"}, names(c.ListNamespace("")))
		n2, err := c.ByIndex("node", "n2")
		require.NoError(t, err)
		assert.Equal(t, []string{"x/a@6", "x/b@2"}, names(n2), "a moved to n2")
		n1, err := c.ByIndex("node", "n1")
		require.NoError(t, err)
		assert.Empty(t, n1, "a left n1, c was deleted")
		_, err = c.ByIndex("zone", "z")
		assert.ErrorIs(t, err, watch.ErrUnknownIndex)
		pod, ok := c.Get("x", "a")
		require.True(t, ok)
		assert.Equal(t, "n2", pod.Labels["node"], "typed access, no assertion")
	})
}

func TestARelistReplacesTheCacheAndTheHandlerGetsTheDifferences(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Gone()), watchtest.Stream())
		lists := 0
		src.SetList(func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
			if lists++; lists == 1 {
				return listOf("5", obj("a", "1"), obj("b", "2"), obj("c", "3"))(ctx, opts)
			}
			return listOf("9", obj("a", "1"), obj("b", "7"), obj("d", "8"))(ctx, opts)
		})
		c := watch.NewCache[partial]()
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "ADDED c@3", "MODIFIED b@7", "ADDED d@8", "DELETED c@3"}, h.Calls())
		assert.Equal(t, []string{"ns/a@1", "ns/b@7", "ns/d@8"}, names(c.List()))
	})
}

func TestAnEventNeverAcknowledgedIsTakenBackOutOfTheCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Modified(obj("a", "6")), watchtest.Added(obj("b", "7"))))
		src.SetList(listOf("5", obj("a", "1")))
		c := watch.NewCache[partial]()
		h := newRecorder()
		h.fail["ADDED b@7"] = 1000
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		run := start(t, w)
		synctest.Wait()
		_, ok := c.Get("ns", "b")
		assert.True(t, ok, "in the cache while the handler is given it")
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ns/a@6"}, names(c.List()), "b was never acknowledged")
	})
}

func TestTheCacheIsConsistentUnderConcurrentReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var items []watchtest.Item
		for i := range 200 {
			items = append(items, watchtest.Modified(onNode("ns", "a", strconv.Itoa(10+i), []string{"n1", "n2"}[i%2])))
		}
		src := watchtest.NewSource(watchtest.Stream(items...))
		src.SetList(listOf("5", onNode("ns", "a", "1", "n1")))
		c := watch.NewCache(watch.WithIndex("node", byNode))
		last := make(chan struct{})
		w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			if ev.Object.(metav1.Object).GetResourceVersion() == "209" {
				close(last)
			}
			return nil
		}))
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		var wg sync.WaitGroup
		var bad atomic.Int64
		for range 4 {
			wg.Go(func() {
				for !closed(last) {
					if !w.Synced() { // not listed yet
						goruntime.Gosched()
						continue
					}
					for _, node := range []string{"n1", "n2"} {
						objs, _ := c.ByIndex("node", node)
						for _, o := range objs {
							if o.Labels["node"] != node {
								bad.Add(1) // the index and the object disagree
							}
						}
					}
					if len(c.List()) != 1 || c.Len() != 1 {
						bad.Add(1)
					}
					goruntime.Gosched()
				}
			})
		}
		run := start(t, w)
		<-last
		wg.Wait()
		require.NoError(t, run.stop())
		assert.Zero(t, bad.Load(), "a reader saw an index disagree with its object, or not exactly one object")
	})
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestWithCacheNeedsAListerAndACacheBelongsToOneResource(t *testing.T) {
	c := watch.NewCache[partial]()
	w := watch.New(newRecorder())
	src := watchtest.NewSource()
	assert.Error(t, w.Add("pods", src, watch.WithCache(c)), "a cache needs WithList")
	require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
	assert.Error(t, w.Add("more", src, watch.WithList(src.List), watch.WithCache(c)))
	require.NoError(t, w.Remove(t.Context(), "pods"))
	assert.NoError(t, w.Add("more", src, watch.WithList(src.List), watch.WithCache(c)), "free once removed")
}

func TestAnObjectNotOfTheCachesTypeGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(&watch.Tombstone{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "3"}})))
		c := watch.NewCache[partial]()
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List), watch.WithCache(c)))
		assert.ErrorIs(t, w.Run(t.Context()), watch.ErrMalformed)
	})
}
