package watchtest

import (
	"context"
	"sync"
	"time"

	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// stream is a watch.Interface playing a script on its own goroutine. Its channel is
// unbuffered, so an event is sent only when the reader takes it, as with a real stream whose
// reader applies backpressure.
type stream struct {
	ch   chan apiwatch.Event
	stop chan struct{}
	once sync.Once
}

func play(ctx context.Context, items []Item, ended func()) *stream {
	st := &stream{ch: make(chan apiwatch.Event), stop: make(chan struct{})}
	go func() {
		defer ended()
		defer close(st.ch) // as a real stream, the channel closes when it ends
		st.run(ctx, items)
	}()
	return st
}

func (st *stream) run(ctx context.Context, items []Item) {
	for _, it := range items {
		switch {
		case it.close:
			return
		case it.delay > 0:
			if !st.wait(ctx, it.delay) {
				return
			}
		default:
			select {
			case st.ch <- it.ev:
			case <-st.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}
	select { // no Close: stay open and silent until stopped
	case <-st.stop:
	case <-ctx.Done():
	}
}

func (st *stream) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-st.stop:
	case <-ctx.Done():
	}
	return false
}

// ResultChan returns the stream's events; it is closed when the stream ends.
func (st *stream) ResultChan() <-chan apiwatch.Event { return st.ch }

// Stop ends the stream. It may be called more than once and does not wait.
func (st *stream) Stop() { st.once.Do(func() { close(st.stop) }) }
