package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// initialEventsEnd is the annotation of the bookmark that ends a streaming list's initial
// events (metav1.InitialEventsAnnotationKey).
const initialEventsEnd = "k8s.io/initial-events-end"

// initial is the state of a streaming list until its closing bookmark: the keys it sent.
type initial struct{ seen map[key]struct{} }

// streams reports whether the resource lists by streaming: asked for, and not refused.
func (l *loop) streams() bool { return l.r.cfg.stream && !l.r.noStream }

// watchList opens a streaming list: a watch that first sends every object, then a bookmark
// annotated k8s.io/initial-events-end. A server that refuses it (400 or 422: it does not know
// the parameters) is not asked again; the resource lists instead, in the same attempt.
func (l *loop) watchList(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	l.phase = StateRelisting
	l.r.setState(StateRelisting, nil, l.attempts())
	opts := l.r.cfg.base
	opts.ResourceVersion, opts.ResourceVersionMatch = "", metav1.ResourceVersionMatchNotOlderThan
	opts.AllowWatchBookmarks, opts.SendInitialEvents = true, ptrTo(true)
	l.initial = &initial{seen: map[key]struct{}{}}
	err := l.stream(ctx, opts)
	l.initial = nil
	var open *openError
	if errors.As(err, &open) && refused(open.err) {
		l.r.noStream = true
		if err := l.relist(ctx); err != nil {
			return err
		}
		return l.watch(ctx)
	}
	return err
}

// refused reports whether a server answered a streaming list as one that does not have it.
func refused(err error) bool {
	st, ok := statusOf(err)
	return ok && (st.Code == http.StatusBadRequest || st.Code == http.StatusUnprocessableEntity)
}

// initialEvent delivers one of a streaming list's objects as a relist would: Added if it is
// new, Modified if it changed (or has no version), nothing if the handler has it already.
func (l *loop) initialEvent(ctx context.Context, ev apiwatch.Event, k key, rv string) error {
	l.received++ // not progress (a list is not), but the stream is no quick close
	if ev.Type == apiwatch.Deleted {
		delete(l.initial.seen, k)
		return l.deliverKnown(ctx, ev, k, rv)
	}
	l.initial.seen[k] = struct{}{}
	old, had := l.r.known.version(k)
	switch {
	case had && old == rv && rv != "":
		return nil
	case had:
		ev.Type = apiwatch.Modified
	default:
		ev.Type = apiwatch.Added
	}
	return l.deliverKnown(ctx, ev, k, rv)
}

// initialEnd reports whether ev is the bookmark that ends a streaming list's initial events.
func (l *loop) initialEnd(ev apiwatch.Event) bool {
	if l.initial == nil {
		return false
	}
	m, err := meta.Accessor(ev.Object)
	return err == nil && m.GetAnnotations()[initialEventsEnd] == "true"
}

// endInitial completes a streaming list at the version of its closing bookmark: a Tombstone
// for every known object it did not send, then the resume point, then the synced signal.
func (l *loop) endInitial(ctx context.Context, rv string) error {
	var gone []planned
	l.r.known.each(func(k key, krv string) {
		if _, ok := l.initial.seen[k]; !ok {
			gone = append(gone, planned{apiwatch.Event{Type: apiwatch.Deleted, Object: tombstone(k, krv)}, k, krv})
		}
	})
	slices.SortFunc(gone, func(a, b planned) int { return a.k.compare(b.k) })
	for _, p := range gone {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err := l.deliverKnown(ctx, p.ev, p.k, p.rv); err != nil {
			return err
		}
	}
	l.initial = nil
	l.r.needRelist, l.r.needSynced = false, true
	l.progress()
	l.advance(rv)
	l.phase = StateWatching
	l.r.setState(StateWatching, nil, l.attempts())
	return l.synced(ctx)
}

// openError is a failed Watch call, told apart from a failure of an open stream.
type openError struct{ err error }

func (e *openError) Error() string { return fmt.Sprintf("open: %v", e.err) }
func (e *openError) Unwrap() error { return e.err }

func ptrTo[T any](v T) *T { return &v }
