package watch

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// markRelist records a 410: the next attempt relists (with a list function) or resyncs and
// restarts from "" (without one).
func (l *loop) markRelist(cause error) {
	l.hotRelist = true
	listed := l.r.cfg.list != nil
	if listed {
		l.r.needRelist = true
	} else {
		l.r.needResync = true
		l.advance("")
	}
	if l.cfg.onRelist != nil {
		l.cfg.onRelist(Relist{Resource: l.r.name, Err: cause, Listed: listed})
	}
}

// resync tells a Resyncer handler that the resource restarts from scratch.
func (l *loop) resync(ctx context.Context) error {
	l.phase = StateRelisting
	l.r.setState(StateRelisting, nil, l.sched.Failures())
	if rs, ok := l.h.(Resyncer); ok {
		for {
			err := rs.Resync(ctx, l.r.name)
			if err == nil {
				break
			}
			if err := l.handlerFailed(ctx, fmt.Errorf("resync: %w", err)); err != nil {
				return err
			}
		}
	}
	l.r.needResync = false
	return nil
}

// planned is one event of a relist and what it records once acknowledged.
type planned struct {
	ev      apiwatch.Event
	key, rv string
}

// relist lists, delivers what changed since the handler last saw it, then sets the resume
// point to the list's resourceVersion. Each delivery is recorded as it is acknowledged, so a
// relist interrupted halfway redelivers nothing when it runs again.
func (l *loop) relist(ctx context.Context) error {
	l.phase = StateRelisting
	l.r.setState(StateRelisting, nil, l.sched.Failures())
	opts := l.r.cfg.base
	opts.ResourceVersion, opts.ResourceVersionMatch, opts.AllowWatchBookmarks = "", "", false
	objs, rv, err := l.r.cfg.list(ctx, opts)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if rv == "" {
		return fmt.Errorf("%w: list returned no resourceVersion", ErrMalformed)
	}
	plan, err := planRelist(l.r.known, objs)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, p := range plan {
		if err := l.deliver(ctx, p.ev); err != nil {
			return err
		}
		l.track(p.ev.Type, p.key, p.rv)
	}
	l.r.needRelist = false
	l.advance(rv)
	return nil
}

// planRelist compares a list with what was delivered: Added for new objects, Modified for
// objects whose resourceVersion changed, nothing for unchanged ones, then a Deleted with a
// Tombstone for every delivered object the list does not have, in key order.
func planRelist(known map[string]string, objs []runtime.Object) ([]planned, error) {
	listed := make(map[string]struct{}, len(objs))
	var plan []planned
	for _, o := range objs {
		m, rv, err := versionOf(o)
		if err != nil {
			return nil, err
		}
		key := objectKey(m)
		listed[key] = struct{}{}
		old, had := known[key]
		switch {
		case had && old == rv:
			continue
		case had:
			plan = append(plan, planned{apiwatch.Event{Type: apiwatch.Modified, Object: o}, key, rv})
		default:
			plan = append(plan, planned{apiwatch.Event{Type: apiwatch.Added, Object: o}, key, rv})
		}
	}
	var gone []string
	for key := range known {
		if _, ok := listed[key]; !ok {
			gone = append(gone, key)
		}
	}
	slices.Sort(gone)
	for _, key := range gone {
		ev := apiwatch.Event{Type: apiwatch.Deleted, Object: tombstone(key, known[key])}
		plan = append(plan, planned{ev, key, known[key]})
	}
	return plan, nil
}

// track records an acknowledged event in the set of delivered objects.
func (l *loop) track(t apiwatch.EventType, key, rv string) {
	if t == apiwatch.Deleted {
		delete(l.r.known, key)
	} else {
		l.r.known[key] = rv
	}
}
