package watchbench

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/steadfast-go/steadfast/watch"
)

// BenchmarkEvent measures the cost of one event from the stream to the handler: through a
// Watcher, read from the stream's channel directly, and through client-go's RetryWatcher.
// One op is one event; setup (goroutines, the Watcher) is amortized over b.N events.
func BenchmarkEvent(b *testing.B) { benchmarkEvent(b, 0) }

// BenchmarkEventBuffered is BenchmarkEvent on a stream whose channel has a 1024-event buffer:
// with the goroutine handoff mostly gone, it shows each reader's own cost per event.
func BenchmarkEventBuffered(b *testing.B) { benchmarkEvent(b, 1024) }

func benchmarkEvent(b *testing.B, buf int) {
	b.Run("steadfast", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		h := watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
			handle(ev)
			if n++; n == b.N {
				cancel()
			}
			return nil
		})
		src := watch.SourceFunc(func(ctx context.Context, _ metav1.ListOptions) (apiwatch.Interface, error) {
			return newBufferedStream(ctx, buf, b.N, false, nil), nil
		})
		w := watch.New(h)
		if err := w.Add("pods", src); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		if err := w.Run(ctx); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("channel", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newBufferedStream(ctx, buf, b.N, false, nil)
		b.ReportAllocs()
		b.ResetTimer()
		ch := s.ResultChan()
		for range b.N {
			handle(<-ch)
		}
		s.Stop()
	})
	b.Run("retrywatcher", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		lw := watcherFunc(func(ctx context.Context, _ metav1.ListOptions) (apiwatch.Interface, error) {
			return newBufferedStream(ctx, buf, b.N, false, nil), nil
		})
		rw, err := watchtools.NewRetryWatcherWithContext(ctx, "1", lw)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		ch := rw.ResultChan()
		for range b.N {
			handle(<-ch)
		}
		rw.Stop()
		<-rw.Done()
	})
}
