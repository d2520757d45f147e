package steadfast_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// pod is the object type of this example; with client-go it is *corev1.Pod.
type pod = *metav1.PartialObjectMetadata

// The watch → queue → Run pipeline: a Watcher keeps a typed cache of the pods and puts the key
// of every event on a reconcile queue; reconcile.Run's one sync path reads the cache for the
// key and makes an external system (here a map of load-balancer backends) equal to it. A
// deleted pod is one the cache no longer has, so no delete is special, and none is lost.
func Example() {
	// The API server: a list of two pods, then a stream that deletes one once the sync has
	// caught up (only to make the output's order fixed). With client-go, the source is
	// clientset.CoreV1().Pods(ns) and the list watch.ListerOf(pods.List).
	caughtUp := make(chan struct{})
	src := watchtest.NewSource()
	src.SetList(func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
		return []runtime.Object{watchtest.Object("default", "web-1", "1"), watchtest.Object("default", "web-2", "2")}, "2", nil
	})
	source := watch.SourceFunc(func(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
		stream := apiwatch.NewFake()
		go func() {
			select {
			case <-caughtUp:
				stream.Delete(watchtest.Object("default", "web-1", "3"))
			case <-ctx.Done():
			}
		}()
		return stream, nil
	})

	cache := watch.NewCache[pod]()
	queue, _ := reconcile.NewQueue[string]()
	w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
		m := ev.Object.(metav1.Object)
		return queue.Add(m.GetNamespace() + "/" + m.GetName())
	}))
	_ = w.Add("pods", source, watch.WithList(src.List), watch.WithCache(cache))

	ctx, cancel := context.WithCancel(context.Background())
	backends := map[string]bool{} // the external system; only the one worker touches it
	sync := reconcile.SyncFunc[string](func(_ context.Context, key string) error {
		ns, name, _ := strings.Cut(key, "/")
		if _, ok := cache.Get(ns, name); !ok {
			delete(backends, name)
			fmt.Println("backend removed:", name)
			cancel() // the example has shown everything
			return nil
		}
		backends[name] = true
		fmt.Println("backend up:", name)
		if len(backends) == 2 {
			close(caughtUp)
		}
		return nil
	})
	var g errgroup.Group
	g.Go(func() error { return w.Run(ctx) })
	g.Go(func() error { return reconcile.Run(ctx, queue, sync, reconcile.WithParallelism(1)) })
	fmt.Println("run:", g.Wait())
	fmt.Println("backends:", slices.Sorted(maps.Keys(backends)))
	// Output:
	// backend up: web-1
	// backend up: web-2
	// backend removed: web-1
	// run: <nil>
	// backends: [web-2]
}
