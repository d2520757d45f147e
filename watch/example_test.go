package watch_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// A watch that survives a dropped stream, a server error and a 410: the handler sees every
// event once, and the synthetic delete for the pod that went away while the watch was down.
func Example() {
	pod := func(name, rv string) *metav1.PartialObjectMetadata { return watchtest.Object("default", name, rv) }
	src := watchtest.NewSource(
		watchtest.Stream(watchtest.Added(pod("web", "1")), watchtest.Added(pod("db", "2")), watchtest.Close()),
		watchtest.Fail(apierrors.NewInternalError(errors.New("etcd leader changed"))),
		watchtest.Stream(watchtest.Modified(pod("web", "3")), watchtest.Gone()),
		watchtest.Stream(watchtest.Added(pod("cache", "9"))),
	)
	// What the server has after the 410: db was deleted, web changed again.
	src.SetList(func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
		return []runtime.Object{pod("web", "5")}, "8", nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := watch.HandlerFunc(func(_ context.Context, resource string, ev apiwatch.Event) error {
		m, _ := meta.Accessor(ev.Object)
		fmt.Println(resource, ev.Type, m.GetName(), m.GetResourceVersion())
		if m.GetName() == "cache" {
			cancel() // seen everything
		}
		return nil
	})
	w := watch.New(h,
		watch.WithPolicy(backoff.Policy{Initial: time.Millisecond, Jitter: backoff.NoJitter}),
		watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { fmt.Println("restart after", r.Err) }}),
		watch.WithHooks(watch.Hooks{OnRelist: func(r watch.Relist) { fmt.Println("relist") }}))
	if err := w.Add("pods", src, watch.WithList(src.List), watch.WithResourceVersion("0")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("run:", w.Run(ctx))
	for _, c := range src.Calls() {
		fmt.Printf("watched from %q\n", c.ResourceVersion)
	}
	// Output:
	// pods ADDED web 1
	// pods ADDED db 2
	// restart after <nil>
	// restart after open: Internal error occurred: etcd leader changed
	// pods MODIFIED web 3
	// relist
	// restart after error event: too old resource version
	// pods MODIFIED web 5
	// pods DELETED db 2
	// pods ADDED cache 9
	// run: <nil>
	// watched from "0"
	// watched from "2"
	// watched from "2"
	// watched from "8"
}

// ListerOf turns a typed List method into the list function of WithList. With client-go it is
// watch.WithList(watch.ListerOf(clientset.CoreV1().Pods(ns).List)); here a function with the
// same shape returns a *metav1.PartialObjectMetadataList.
func ExampleListerOf() {
	list := func(context.Context, metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
		l := &metav1.PartialObjectMetadataList{ListMeta: metav1.ListMeta{ResourceVersion: "42"}}
		l.Items = append(l.Items, *watchtest.Object("default", "web", "40"), *watchtest.Object("default", "db", "41"))
		return l, nil
	}
	objs, rv, err := watch.ListerOf(list)(context.Background(), metav1.ListOptions{})
	fmt.Println(len(objs), rv, err)
	for _, o := range objs {
		m, _ := meta.Accessor(o)
		fmt.Println(m.GetName(), m.GetResourceVersion())
	}
	// Output:
	// 2 42 <nil>
	// web 40
	// db 41
}
