package runbench

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	crreconcile "sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/steadfast-go/steadfast/reconcile"
)

const workers = 4

// BenchmarkRun measures one key's trip through a whole control loop: the benchmark goroutine
// adds b.N distinct keys (namespace/name pairs, made before the clock starts) while 4 workers
// take each key, call a no-op sync and report it done; the clock stops when the last sync has
// returned. One op is one key, so allocs/op is allocations per item and items/s the
// throughput. steadfast is reconcile.Run over a reconcile.Queue, both with their defaults
// but for 4 workers. controller-runtime is its controller with its defaults but for 4 workers
// (MaxConcurrentReconciles; its default queue is its priority queue); controller-runtime-
// workqueue is the same controller told to use client-go's rate-limiting workqueue instead
// (UsePriorityQueue false), the queue it used by default before.
func BenchmarkRun(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		keys := names(b.N)
		q, err := reconcile.NewQueue[types.NamespacedName]()
		if err != nil {
			b.Fatal(err)
		}
		c := newCounter(b.N)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		wg.Go(func() {
			noop := reconcile.SyncFunc[types.NamespacedName](func(context.Context, types.NamespacedName) error {
				c.one()
				return nil
			})
			if err := reconcile.Run(ctx, q, noop, reconcile.WithParallelism(workers)); err != nil {
				b.Error(err)
			}
		})
		measure(b, c, func() {
			for _, k := range keys {
				if err := q.Add(k); err != nil {
					b.Fatal(err)
				}
			}
		})
		cancel()
		wg.Wait()
	})
	b.Run("controller-runtime", func(b *testing.B) { benchController(b, nil) })
	b.Run("controller-runtime-workqueue", func(b *testing.B) { benchController(b, new(false)) })
}

// benchController is BenchmarkRun's controller-runtime side; usePriorityQueue nil is its
// default.
func benchController(b *testing.B, usePriorityQueue *bool) {
	keys := names(b.N)
	c := newCounter(b.N)
	ctrl, err := controller.NewTypedUnmanaged("runbench", controller.TypedOptions[crreconcile.Request]{
		Reconciler: crreconcile.TypedFunc[crreconcile.Request](func(context.Context, crreconcile.Request) (crreconcile.Result, error) {
			c.one()
			return crreconcile.Result{}, nil
		}),
		MaxConcurrentReconciles: workers,
		UsePriorityQueue:        usePriorityQueue,
		SkipNameValidation:      new(true), // every run of the benchmark makes one with the same name
	})
	if err != nil {
		b.Fatal(err)
	}
	queues := make(chan workqueue.TypedRateLimitingInterface[crreconcile.Request], 1)
	err = ctrl.Watch(source.TypedFunc[crreconcile.Request](func(_ context.Context, q workqueue.TypedRateLimitingInterface[crreconcile.Request]) error {
		queues <- q
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := ctrl.Start(ctx); err != nil {
			b.Error(err)
		}
	})
	q := <-queues
	measure(b, c, func() {
		for _, k := range keys {
			q.Add(crreconcile.Request{NamespacedName: k})
		}
	})
	cancel()
	wg.Wait()
}

// names returns n distinct keys.
func names(n int) []types.NamespacedName {
	keys := make([]types.NamespacedName, n)
	for i := range keys {
		keys[i] = types.NamespacedName{Namespace: "default", Name: "pod-" + strconv.Itoa(i)}
	}
	return keys
}

// counter counts syncs and closes all when the n-th returns.
type counter struct {
	n    int64
	done atomic.Int64
	all  chan struct{}
}

func newCounter(n int) *counter { return &counter{n: int64(n), all: make(chan struct{})} }

func (c *counter) one() {
	if c.done.Add(1) == c.n {
		close(c.all)
	}
}

// measure times add and the syncs of every key it adds.
func measure(b *testing.B, c *counter, add func()) {
	b.ReportAllocs()
	b.ResetTimer()
	add()
	<-c.all
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
