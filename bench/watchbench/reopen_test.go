package watchbench

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/steadfast-go/steadfast/watch"
)

// reopens times each gap from a stream's normal close to the next Watch call. Each stream
// sends one event and closes.
type reopens struct {
	mu       sync.Mutex
	closedAt time.Time
	gaps     []time.Duration
}

func (r *reopens) watch(ctx context.Context, _ metav1.ListOptions) (apiwatch.Interface, error) {
	r.mu.Lock()
	if !r.closedAt.IsZero() {
		r.gaps = append(r.gaps, time.Since(r.closedAt))
	}
	r.mu.Unlock()
	return newStream(ctx, 1, true, func() {
		r.mu.Lock()
		r.closedAt = time.Now()
		r.mu.Unlock()
	}), nil
}

func (r *reopens) report(b *testing.B) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.gaps) == 0 {
		return
	}
	slices.Sort(r.gaps)
	b.ReportMetric(float64(r.gaps[len(r.gaps)/2].Nanoseconds())/1e3, "median-us")
}

// BenchmarkReopen measures the time from a normal close of a stream (the server ending the
// watch, as it does every few minutes) to the next Watch call. One op is one close and reopen.
// RetryWatcher re-opens at most once a second, so it runs few ops.
func BenchmarkReopen(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &reopens{}
		n := 0
		h := watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			handle(ev)
			if n++; n > b.N {
				cancel()
			}
			return nil
		})
		w := watch.New(h)
		if err := w.Add("pods", watch.SourceFunc(r.watch)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		if err := w.Run(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		r.report(b)
	})
	b.Run("retrywatcher", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &reopens{}
		rw, err := watchtools.NewRetryWatcherWithContext(ctx, "1", watcherFunc(r.watch))
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N + 1 {
			handle(<-rw.ResultChan())
		}
		rw.Stop()
		<-rw.Done()
		b.StopTimer()
		r.report(b)
	})
}
