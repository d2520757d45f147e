package watch

import (
	"context"
	"sync"
	"time"
)

// resource is one named Source and what survives between runs of its loop: where to resume,
// what was delivered (with a lister), and whether a relist or resync is pending. Those fields
// are owned by the loop goroutine while it runs, and by nobody otherwise (a resource has at most
// one loop at a time: Run is exclusive and Remove takes the resource out of the map first).
// Two resources of the same name never run at once either: see after.
type resource struct {
	name string
	src  Source
	cfg  resourceConfig

	rv         string         // resume point: last acknowledged event or bookmark
	known      map[key]string // key -> last delivered resourceVersion; only with a lister
	needRelist bool           // a 410 was seen and the relist has not completed
	needResync bool           // a 410 was seen without a lister; Resync not yet acknowledged

	// Guarded by the Watcher's mu.
	cancel context.CancelCauseFunc // of the loop last started; nil before
	done   chan struct{}           // closed when the loop last started has returned
	after  chan struct{}           // the done of a removed resource of the same name, still running

	mu     sync.Mutex // guards status
	status Status
}

func newResource(name string, src Source, cfg resourceConfig) *resource {
	r := &resource{name: name, src: src, cfg: cfg, rv: cfg.rv}
	if cfg.list != nil {
		r.known = map[key]string{}
	}
	r.status = Status{State: StatePending, ResourceVersion: r.rv, Since: time.Now()}
	return r
}

// setState records a state change and, when err is not nil, the error that caused it.
func (r *resource) setState(s State, err error, attempts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status.State != s {
		r.status.State, r.status.Since = s, time.Now()
	}
	if err != nil {
		r.status.LastError = err
	}
	r.status.Attempts = attempts
}

// setVersion records the resume point. It is on the per-event path: one uncontended lock.
func (r *resource) setVersion(rv string, attempts int) {
	r.mu.Lock()
	r.status.ResourceVersion = rv
	r.status.Attempts = attempts
	r.mu.Unlock()
}

func (r *resource) snapshot() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}
