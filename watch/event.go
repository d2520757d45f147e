package watch

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
)

// event handles one event of a stream: delivers it and advances the resume point, or turns it
// into the error that ends the stream.
func (l *loop) event(ctx context.Context, ev apiwatch.Event) error {
	switch ev.Type {
	case apiwatch.Added, apiwatch.Modified, apiwatch.Deleted:
		k, rv, err := versionOf(ev.Object)
		if err != nil {
			return fmt.Errorf("%s event: %w", ev.Type, err)
		}
		if l.initial != nil {
			return l.initialEvent(ctx, ev, k, rv)
		}
		l.progress()
		if err := l.deliverKnown(ctx, ev, k, rv); err != nil {
			return err
		}
		if rv != "" { // an object without a version (a fake clientset's) cannot be resumed from
			l.advance(rv)
		}
	case apiwatch.Bookmark:
		_, rv, err := versionOf(ev.Object)
		if err == nil && rv == "" {
			err = malformedf("%T has no resourceVersion", ev.Object)
		}
		if err != nil {
			return fmt.Errorf("%s event: %w", ev.Type, err)
		}
		switch {
		case l.initialEnd(ev):
			return l.endInitial(ctx, rv)
		case l.initial != nil:
			return nil // the list's version is the closing bookmark's
		}
		if rv != l.r.rv { // a bookmark that does not move the resume point is no progress
			l.progress()
			l.advance(rv)
		}
	case apiwatch.Error:
		return errorEvent(ev.Object)
	default:
		return malformedf("unknown event type %q", ev.Type)
	}
	return nil
}

// progress records that the stream made progress: the stream's failures and back-to-back
// counters start over. Relists do not call it: only a stream's own events count.
func (l *loop) progress() {
	l.received++
	l.quickCloses, l.hotRelist = 0, false
	if l.sched.Failures() > 0 {
		l.sched.Reset()
	}
}

func (l *loop) advance(rv string) {
	l.r.rv = rv
	l.r.setVersion(rv, l.attempts())
}

// deliverKnown records ev in what the resource knows (its keys or Cache), then delivers it;
// if the handler never acknowledges it, what was known before is put back.
func (l *loop) deliverKnown(ctx context.Context, ev apiwatch.Event, k key, rv string) error {
	if l.r.known == nil {
		return l.deliver(ctx, ev)
	}
	p, err := l.r.known.apply(ev.Type, k, rv, ev.Object)
	if err != nil {
		return fmt.Errorf("%s event: %w", ev.Type, err)
	}
	if err := l.deliver(ctx, ev); err != nil {
		l.r.known.restore(p)
		return err
	}
	return nil
}

// deliver calls the handler until it acknowledges ev. It does not read the stream meanwhile:
// the next event waits in the stream.
func (l *loop) deliver(ctx context.Context, ev apiwatch.Event) error {
	return l.untilAcked(ctx, "handler", func() error { return l.h.Handle(ctx, l.r.name, ev) })
}

// untilAcked calls the handler's fn (Handle or Resync) until it returns nil, waiting between
// failures the backoff delay of the handler's own schedule, which an acknowledgement resets.
func (l *loop) untilAcked(ctx context.Context, what string, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			if l.hsched.Failures() > 0 {
				l.hsched.Reset()
			}
			return nil
		}
		if err := l.handlerFailed(ctx, fmt.Errorf("%s: %w", what, err)); err != nil {
			return err
		}
	}
}

// handlerFailed waits before the handler (or resyncer) is called again, and returns nil, or the
// error to end the attempt with: the context's cause, or a *gaveUp.
func (l *loop) handlerFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx) // stopping: the handler saw its context end
	}
	o := retry(l.hsched, err)
	if o.act == giveUp {
		return &gaveUp{reason: o.reason, last: o.err}
	}
	l.r.setState(StateBackoff, err, l.attempts())
	if !backoff.Sleep(ctx, o.delay) {
		return context.Cause(ctx)
	}
	l.r.setState(l.phase, nil, l.attempts())
	return nil
}

// versionOf returns an object's key and resourceVersion ("" when it has none, as the objects
// of client-go's fake clientset), or a malformed error.
func versionOf(obj runtime.Object) (key, string, error) {
	if isNil(obj) {
		return key{}, "", malformedf("no object")
	}
	m, err := meta.Accessor(obj)
	if err != nil || isNil(m) {
		return key{}, "", malformedf("%T has no object metadata", obj)
	}
	return keyOf(m), m.GetResourceVersion(), nil
}

// errorEvent turns an Error event's Status into the API error it stands for.
func errorEvent(obj runtime.Object) error {
	if isNil(obj) { // FromObject would dereference a typed-nil *metav1.Status
		return malformedf("error event without a Status")
	}
	err := apierrors.FromObject(obj)
	if apierrors.IsUnexpectedObjectError(err) {
		return malformedf("error event with a %T, not a *metav1.Status", obj)
	}
	return fmt.Errorf("error event: %w", err)
}
