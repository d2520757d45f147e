package queuebench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"k8s.io/client-go/util/workqueue"

	"github.com/steadfast-go/steadfast/reconcile"
)

const workers = 4

// BenchmarkQueue measures one key's trip through a queue: the benchmark goroutine adds b.N
// distinct keys while 4 workers take each key and mark it done, and the clock stops when the
// last key is done. One op is one key, so allocs/op is allocations per item; items/s is the
// throughput. The anchors are client-go's plain workqueue (dirty and processing sets, no
// backoff) and its rate-limiting queue (the one controllers use: Done plus Forget per key),
// which, like ours, also carries per-key backoff and delayed adds.
func BenchmarkQueue(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		q, err := reconcile.NewQueue[int]()
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(b.Context())
		defer cancel()
		done := reconcile.Outcome{Kind: reconcile.OutcomeDone}
		run(b, q.Add, func() bool {
			k, err := q.Get(ctx)
			if err != nil {
				return false
			}
			_ = q.Done(ctx, k, done)
			return true
		}, q.ShutDown)
	})
	b.Run("workqueue", func(b *testing.B) {
		q := workqueue.NewTyped[int]()
		run(b, func(k int) error { q.Add(k); return nil }, func() bool {
			k, shutdown := q.Get()
			if shutdown {
				return false
			}
			q.Done(k)
			return true
		}, q.ShutDown)
	})
	b.Run("workqueue-ratelimiting", func(b *testing.B) {
		q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[int]())
		run(b, func(k int) error { q.Add(k); return nil }, func() bool {
			k, shutdown := q.Get()
			if shutdown {
				return false
			}
			q.Forget(k)
			q.Done(k)
			return true
		}, q.ShutDown)
	})
}

// run adds b.N distinct keys with add while 4 workers call take (which takes and finishes one
// key, or returns false once the queue is shut down), then shuts the queue down.
func run(b *testing.B, add func(int) error, take func() bool, shutdown func()) {
	var processed atomic.Int64
	all := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for take() {
				if processed.Add(1) == int64(b.N) {
					close(all)
				}
			}
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := add(i); err != nil {
			b.Fatal(err)
		}
	}
	<-all
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
	shutdown()
	wg.Wait()
}
