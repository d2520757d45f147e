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
	if l.cfg.hooks.OnRelist != nil {
		l.cfg.hooks.OnRelist(Relist{Resource: l.r.name, Err: cause, Listed: listed})
	}
}

// resync tells a Resyncer handler that the resource restarts from scratch.
func (l *loop) resync(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	l.phase = StateRelisting
	l.r.setState(StateRelisting, nil, l.attempts())
	if rs, ok := l.h.(Resyncer); ok {
		if err := l.untilAcked(ctx, "resync", func() error { return rs.Resync(ctx, l.r.name) }); err != nil {
			return err
		}
	}
	l.r.needResync = false
	return nil
}

// planned is one event of a relist and what it records once acknowledged.
type planned struct {
	ev apiwatch.Event
	k  key
	rv string
}

// relist lists, delivers what changed since the handler last saw it, then sets the resume
// point to the list's resourceVersion. Each delivery is recorded as it is acknowledged, so a
// relist interrupted halfway redelivers nothing when it runs again. Its deliveries are not a
// stream's progress: they do not reset the stream's schedule.
func (l *loop) relist(ctx context.Context) error {
	if ctx.Err() != nil { // also after a resync or a delivery that ended with the stop
		return context.Cause(ctx)
	}
	l.phase = StateRelisting
	l.r.setState(StateRelisting, nil, l.attempts())
	opts := l.r.cfg.base
	opts.ResourceVersion, opts.ResourceVersionMatch, opts.AllowWatchBookmarks = "", "", false
	objs, rv, err := l.r.cfg.list(ctx, opts)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if rv == "" {
		return malformedf("list returned no resourceVersion")
	}
	plan, err := planRelist(l.r.known, objs)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, p := range plan {
		if ctx.Err() != nil { // a handler that acknowledged after the stop gets nothing more
			return context.Cause(ctx)
		}
		if err := l.deliverKnown(ctx, p.ev, p.k, p.rv); err != nil {
			return err
		}
	}
	l.r.needRelist, l.r.needSynced = false, true
	l.advance(rv)
	return nil
}

// planRelist compares a list with what was delivered: Added for new objects, Modified for
// objects whose resourceVersion changed (or that have none), nothing for unchanged ones, in
// list order, then a Deleted with a Tombstone for every delivered object the list does not
// have, in key order.
func planRelist(known store, objs []runtime.Object) ([]planned, error) {
	listed, order, err := dedupe(objs)
	if err != nil {
		return nil, err
	}
	var plan []planned
	for _, k := range order {
		p := listed[k]
		switch old, had := known.version(k); {
		case had && old == p.rv && old != "":
			continue
		case had:
			p.ev.Type = apiwatch.Modified
		default:
			p.ev.Type = apiwatch.Added
		}
		plan = append(plan, p)
	}
	var gone []planned
	known.each(func(k key, rv string) {
		if _, ok := listed[k]; !ok {
			gone = append(gone, planned{apiwatch.Event{Type: apiwatch.Deleted, Object: tombstone(k, rv)}, k, rv})
		}
	})
	slices.SortFunc(gone, func(a, b planned) int { return a.k.compare(b.k) })
	return append(plan, gone...), nil
}

// dedupe indexes a list by key. A key listed more than once is one object: the last one listed
// wins, at the place of the first.
func dedupe(objs []runtime.Object) (map[key]planned, []key, error) {
	listed := make(map[key]planned, len(objs))
	order := make([]key, 0, len(objs))
	for _, o := range objs {
		k, rv, err := versionOf(o)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := listed[k]; !dup {
			order = append(order, k)
		}
		listed[k] = planned{apiwatch.Event{Object: o}, k, rv}
	}
	return listed, order, nil
}
