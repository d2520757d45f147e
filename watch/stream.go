package watch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// quickClose is how long a stream must have lived to close without an event and still count as
// a normal close (an API server closes quiet watches after its timeout, minutes later).
const quickClose = time.Second

// watch opens one stream from the resume point and reads it until it ends.
func (l *loop) watch(ctx context.Context) error {
	if ctx.Err() != nil { // after a resync or relist that ended with the stop
		return context.Cause(ctx)
	}
	l.phase = StateWatching
	l.r.setState(StateWatching, nil, l.attempts())
	opts := l.r.cfg.base
	opts.ResourceVersion, opts.AllowWatchBookmarks = l.r.rv, true
	opts.ResourceVersionMatch, opts.SendInitialEvents = "", nil
	return l.stream(ctx, opts)
}

// stream opens a stream with opts and reads it until it ends. A plain watch is synced once it
// is open; a streaming list at its closing bookmark.
func (l *loop) stream(ctx context.Context, opts metav1.ListOptions) error {
	w, err := l.r.src.Watch(ctx, opts)
	switch {
	case err != nil:
		if !isNil(w) {
			w.Stop() // a stream returned with an error is not read, but it is ended
		}
		return &openError{err}
	case isNil(w):
		return malformedf("Watch returned neither a stream nor an error")
	}
	if l.initial == nil {
		if err := l.synced(ctx); err != nil { // the stream is open: from now on nothing is missed
			w.Stop()
			return err
		}
	}
	return l.consume(ctx, w)
}

// consume reads events one at a time, each only after the previous one was handled, until the
// stream closes, fails, idles or the context ends.
//
// The read is a plain receive, not a select with ctx.Done and the idle timer: a select on
// three channels costs more than the rest of the per-event path. Both ends go through Stop
// instead, which closes the channel, as watch.Interface requires of every stream.
func (l *loop) consume(ctx context.Context, w apiwatch.Interface) error {
	l.opened, l.received = time.Now(), 0
	stop := sync.OnceFunc(w.Stop) // Stop may come from here, ctx and the idle timer at once
	defer stop()
	ch := w.ResultChan()
	if ch == nil { // a receive from it would never end, and Stop cannot close it
		return malformedf("stream with a nil result channel")
	}
	defer context.AfterFunc(ctx, stop)()
	var idled atomic.Bool // set by this stream's idle timer only; a late one cannot touch the next
	idle := l.startIdle(stop, &idled)
	defer stopTimer(idle)
	for {
		ev, ok := <-ch
		switch {
		case ctx.Err() != nil:
			return context.Cause(ctx) // an event read after the stop is not delivered
		case !ok && idled.Load():
			return ErrIdle
		case !ok:
			return l.closed()
		}
		stopTimer(idle) // the handler's time does not count as idle
		if err := l.event(ctx, ev); err != nil {
			return err
		}
		if idle != nil {
			idle.Reset(l.cfg.idle)
		}
	}
}

// startIdle returns a timer that stops the stream after the idle timeout; nil without one.
func (l *loop) startIdle(stop func(), idled *atomic.Bool) *time.Timer {
	if l.cfg.idle <= 0 {
		return nil
	}
	return time.AfterFunc(l.cfg.idle, func() {
		idled.Store(true)
		stop()
	})
}

// closed classifies a stream the server closed: normal, unless it closed at once having made
// no progress (no event, no bookmark that moved the resume point).
func (l *loop) closed() error {
	if l.received > 0 || time.Since(l.opened) >= quickClose {
		return nil
	}
	return ErrClosedEarly
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
