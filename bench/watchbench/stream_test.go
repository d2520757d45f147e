package watchbench

import (
	"context"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// podEvents is a ring of pre-built pod events, so producing an event allocates nothing.
var podEvents = func() []apiwatch.Event {
	evs := make([]apiwatch.Event, 1024)
	for i := range evs {
		evs[i] = apiwatch.Event{Type: apiwatch.Modified, Object: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Namespace: "default", Name: "pod-" + strconv.Itoa(i%64), ResourceVersion: strconv.Itoa(i + 2),
		}}}
	}
	return evs
}()

// stream is the synthetic stream: a producer goroutine sends n events from the ring on an
// unbuffered channel, as a client-go stream decodes one event at a time. After the last event
// it closes the stream when closeAfter is set (then calls closed just before), or else stays
// open until stopped.
type stream struct {
	ch   chan apiwatch.Event
	stop chan struct{}
	once sync.Once
}

func newStream(ctx context.Context, n int, closeAfter bool, closed func()) *stream {
	return newBufferedStream(ctx, 0, n, closeAfter, closed)
}

// newBufferedStream is newStream with a channel buffer of size buf: the producer runs ahead,
// so the reader seldom waits for a goroutine handoff, and what is left is the reader's own cost.
func newBufferedStream(ctx context.Context, buf, n int, closeAfter bool, closed func()) *stream {
	s := &stream{ch: make(chan apiwatch.Event, buf), stop: make(chan struct{})}
	go func() {
		defer close(s.ch)
		for i := range n {
			select {
			case s.ch <- podEvents[i%len(podEvents)]:
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			}
		}
		if closeAfter {
			closed()
			return
		}
		select {
		case <-s.stop:
		case <-ctx.Done():
		}
	}()
	return s
}

func (s *stream) ResultChan() <-chan apiwatch.Event { return s.ch }
func (s *stream) Stop()                             { s.once.Do(func() { close(s.stop) }) }

// watcherFunc is a client-go cache.WatcherWithContext, what RetryWatcher watches through.
type watcherFunc func(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error)

func (f watcherFunc) WatchWithContext(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	return f(ctx, opts)
}

// handled is what each benchmark's handler does with an event: read its resourceVersion, as
// any handler does, and keep it.
var sinkRV string

func handle(ev apiwatch.Event) {
	if m, ok := ev.Object.(metav1.Object); ok {
		sinkRV = m.GetResourceVersion()
	}
}
