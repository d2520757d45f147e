package watch

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
)

// quickClose is how long a stream must have lived to close without an event and still count as
// a normal close (an API server closes quiet watches after its timeout, minutes later).
const quickClose = time.Second

// watch opens one stream from the resume point and reads it until it ends.
func (l *loop) watch(ctx context.Context) error {
	l.phase = StateWatching
	l.r.setState(StateWatching, nil, l.sched.Failures())
	opts := l.r.cfg.base
	opts.ResourceVersion, opts.ResourceVersionMatch, opts.AllowWatchBookmarks = l.r.rv, "", true
	w, err := l.r.src.Watch(ctx, opts)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if w == nil {
		return fmt.Errorf("%w: Watch returned neither a stream nor an error", ErrMalformed)
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
	defer context.AfterFunc(ctx, stop)()
	var idled atomic.Bool // set by this stream's idle timer only; a late one cannot touch the next
	idle := l.startIdle(stop, &idled)
	defer stopTimer(idle)
	ch := w.ResultChan()
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

// event handles one event: delivers it and advances the resume point, or turns it into the
// error that ends the stream.
func (l *loop) event(ctx context.Context, ev apiwatch.Event) error {
	switch ev.Type {
	case apiwatch.Added, apiwatch.Modified, apiwatch.Deleted:
		m, rv, err := versionOf(ev.Object)
		if err != nil {
			return fmt.Errorf("%s event: %w", ev.Type, err)
		}
		l.progress()
		if err := l.deliver(ctx, ev); err != nil {
			return err
		}
		if l.r.known != nil {
			l.track(ev.Type, objectKey(m), rv)
		}
		l.advance(rv)
	case apiwatch.Bookmark:
		_, rv, err := versionOf(ev.Object)
		if err != nil {
			return fmt.Errorf("%s event: %w", ev.Type, err)
		}
		l.progress()
		l.advance(rv)
	case apiwatch.Error:
		return errorEvent(ev.Object)
	default:
		return fmt.Errorf("%w: unknown event type %q", ErrMalformed, ev.Type)
	}
	return nil
}

// deliver calls the handler until it acknowledges ev, waiting the backoff delay between
// failures. It does not read the stream meanwhile: the next event waits in the stream.
func (l *loop) deliver(ctx context.Context, ev apiwatch.Event) error {
	for {
		err := l.h.Handle(ctx, l.r.name, ev)
		if err == nil {
			if l.sched.Failures() > 0 {
				l.sched.Reset()
			}
			return nil
		}
		if err := l.handlerFailed(ctx, fmt.Errorf("handler: %w", err)); err != nil {
			return err
		}
	}
}

// handlerFailed waits before the handler (or resyncer) is called again, and returns nil, or the
// error to end the attempt with: the context's cause, or a *GiveUpError.
func (l *loop) handlerFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx) // stopping: the handler saw its context end
	}
	o := l.retry(err)
	if o.act == giveUp {
		return &GiveUpError{Resource: l.r.name, Reason: o.reason, Last: o.err}
	}
	l.r.setState(StateBackoff, err, l.sched.Failures())
	if !backoff.Sleep(ctx, o.delay) {
		return context.Cause(ctx)
	}
	l.r.setState(l.phase, nil, l.sched.Failures())
	return nil
}

// progress records that the stream is alive: failures and back-to-back counters start over.
func (l *loop) progress() {
	l.received++
	l.quickCloses, l.hotRelist = 0, false
	if l.sched.Failures() > 0 {
		l.sched.Reset()
	}
}

func (l *loop) advance(rv string) {
	l.r.rv = rv
	l.r.setVersion(rv)
}

// closed classifies a stream the server closed: normal, unless it closed at once and empty.
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

// versionOf returns an event object's metadata and resourceVersion, or an ErrMalformed error.
func versionOf(obj runtime.Object) (metav1.Object, string, error) {
	if obj == nil {
		return nil, "", fmt.Errorf("%w: no object", ErrMalformed)
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %T has no object metadata", ErrMalformed, obj)
	}
	rv := m.GetResourceVersion()
	if rv == "" {
		return nil, "", fmt.Errorf("%w: %T %q has no resourceVersion", ErrMalformed, obj, objectKey(m))
	}
	return m, rv, nil
}

// errorEvent turns an Error event's Status into the API error it stands for.
func errorEvent(obj runtime.Object) error {
	err := apierrors.FromObject(obj)
	if apierrors.IsUnexpectedObjectError(err) {
		return fmt.Errorf("%w: error event with a %T, not a *metav1.Status", ErrMalformed, obj)
	}
	return fmt.Errorf("error event: %w", err)
}
