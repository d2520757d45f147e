package watchbench

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiruntime "k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/steadfast-go/steadfast/watch"
)

// controller is one side of a comparison, started against a server: it returns once synced,
// and stop ends it and waits for it. Events the handler sees after sync are counted in seen.
type controller func(b *testing.B, cs *kubernetes.Clientset, seen *counter) (held any, stop func())

// steadfastController is a Watcher with a typed cache and a no-op handler, on the streaming
// list as the informer is.
func steadfastController(b *testing.B, cs *kubernetes.Clientset, seen *counter) (any, func()) {
	pods := cs.CoreV1().Pods("default")
	c := watch.NewCache[*corev1.Pod]()
	w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
		if ev.Type == apiwatch.Modified {
			seen.add()
		}
		return nil
	}))
	if err := w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)), watch.WithCache(c), watch.WithStreamingList()); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	if err := w.WaitSynced(ctx); err != nil {
		b.Fatal(err)
	}
	return c, func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

// informerController is a SharedIndexInformer with the namespace index and a no-op handler.
func informerController(b *testing.B, cs *kubernetes.Clientset, seen *counter) (any, func()) {
	pods := cs.CoreV1().Pods("default")
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (apiruntime.Object, error) {
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: pods.Watch,
	}
	inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{UpdateFunc: func(any, any) { seen.add() }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { inf.RunWithContext(ctx); close(done) }()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		b.Fatal("informer did not sync")
	}
	return inf.GetIndexer(), func() { cancel(); <-done }
}

// counter counts the events a handler saw after sync, and closes done at the target.
type counter struct {
	n      atomic.Int64
	target int64
	done   chan struct{}
}

func newCounter(target int) *counter {
	return &counter{target: int64(target), done: make(chan struct{})}
}

func (c *counter) add() {
	if c.n.Add(1) == c.target {
		close(c.done)
	}
}

var controllers = []struct {
	name string
	run  controller
}{{"steadfast", steadfastController}, {"informer", informerController}}

// BenchmarkTimeToSynced measures the time from start to synced (WaitSynced, WaitForCacheSync)
// with 10,000 pods, each side's streaming list over the same loopback server. One op is one
// start, sync and stop.
func BenchmarkTimeToSynced(b *testing.B) {
	for _, c := range controllers {
		b.Run(c.name, func(b *testing.B) {
			srv := newPodServer(b, 10_000, 0)
			cs := podsClient(b, srv)
			seen := newCounter(0)
			b.ReportAllocs()
			for b.Loop() {
				_, stop := c.run(b, cs, seen)
				b.StopTimer()
				stop()
				b.StartTimer()
			}
			b.ReportMetric(float64(srv.streams.Load())/float64(b.N), "streamed/op")
			b.ReportMetric(float64(srv.lists.Load())/float64(b.N), "listed/op")
		})
	}
}

// BenchmarkEventAfterSync measures the cost of one MODIFIED event after sync, from the HTTP
// stream through a real typed client's JSON decoding to the cache and a no-op handler, on 64
// pods. One op is one event; cpu-ns/op is the process's CPU time (user and system) per event,
// which counts the work on every goroutine, not only the wall time.
func BenchmarkEventAfterSync(b *testing.B) {
	for _, c := range controllers {
		b.Run(c.name, func(b *testing.B) {
			srv := newPodServer(b, 64, b.N)
			seen := newCounter(b.N)
			_, stop := c.run(b, podsClient(b, srv), seen)
			defer stop()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			close(srv.start)
			<-seen.done
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkCacheHeap measures the live heap each side keeps per cached pod after syncing
// 10,000 pods (B/object), after a GC, held while it is measured. One op is one start and sync.
func BenchmarkCacheHeap(b *testing.B) {
	for _, c := range controllers {
		b.Run(c.name, func(b *testing.B) {
			cs := podsClient(b, newPodServer(b, 10_000, 0))
			seen := newCounter(0)
			var total float64
			for b.Loop() {
				before := liveHeap()
				held, stop := c.run(b, cs, seen)
				after := liveHeap()
				runtime.KeepAlive(held)
				stop()
				total += float64(after) - float64(before)
			}
			b.ReportMetric(total/float64(b.N)/10_000, "B/object")
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
