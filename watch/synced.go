package watch

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Syncer is implemented by a Handler that wants to know when a resource's state has been
// delivered in full: every object the list had (or, with [WithStreamingList], the server's
// initial events), and a Tombstone for every object known before that is gone. Synced is then
// called, before any event that follows, once at the start and again after every relist: the
// moment a controller may garbage-collect what an external system holds and the resource does
// not. For a resource without a list function ([WithList]), or one started with
// [WithResourceVersion] or [WithListed], it is called once, when the first watch is open.
//
// Synced is called on the resource's goroutine, like Handle. An error is retried after the
// backoff delay, like a Handle error; a [backoff.Permanent] error gives up.
type Syncer interface {
	Synced(ctx context.Context, resource string) error
}

// synced tells a Syncer handler, then the status, that the resource's state was delivered,
// if that is pending. It is called once a stream is open (or, streaming, at the end of the
// initial events), so that a synced resource is one that sees every change from then on.
func (l *loop) synced(ctx context.Context) error {
	if !l.r.needSynced {
		return nil
	}
	if s, ok := l.h.(Syncer); ok {
		if err := l.untilAcked(ctx, "synced", func() error { return s.Synced(ctx, l.r.name) }); err != nil {
			return err
		}
	}
	l.r.needSynced = false
	l.r.setSynced()
	return nil
}

// startFrom takes the start of a resource from a list the caller made: its resourceVersion,
// and its items as delivered.
func (r *resource) startFrom(list runtime.Object) error {
	if isNil(list) {
		return malformedf("WithListed: no list")
	}
	acc, err := meta.ListAccessor(list)
	if err != nil {
		return malformedf("WithListed: %T: %w", list, err)
	}
	items, err := meta.ExtractListWithAlloc(list)
	if err != nil {
		return malformedf("WithListed: %T: %w", list, err)
	}
	if r.rv = acc.GetResourceVersion(); r.rv == "" {
		return malformedf("WithListed: %T has no resourceVersion", list)
	}
	if r.known == nil {
		return nil
	}
	for _, o := range items {
		k, rv, err := versionOf(o)
		if err != nil {
			return fmt.Errorf("WithListed: %w", err)
		}
		if _, err := r.known.apply(apiwatch.Added, k, rv, o); err != nil {
			return fmt.Errorf("WithListed: %w", err)
		}
	}
	return nil
}
