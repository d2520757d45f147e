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

	rv         string // resume point: last acknowledged event or bookmark
	known      store  // what was delivered: keys or a Cache; only with a lister
	needRelist bool   // a 410 was seen (or nothing was listed yet) and the list has not completed
	needResync bool   // a 410 was seen without a lister; Resync not yet acknowledged
	needSynced bool   // the state was delivered and Syncer not yet told (nor the status set)
	noStream   bool   // the server refused a streaming list: list instead
	notify     func() // tells the Watcher that the synced or failed state changed

	// Guarded by the Watcher's mu.
	cancel context.CancelCauseFunc // of the loop last started; nil before
	done   chan struct{}           // closed when the loop last started has returned
	after  chan struct{}           // the done of a removed resource of the same name, still running

	mu      sync.Mutex // guards status and failure
	status  Status
	failure error // the *GiveUpError or panic that failed the loop last started; nil otherwise
}

// newResource makes a resource, taking its start from cfg: a list the caller made, a
// resourceVersion, or a list of its own (with a lister).
func newResource(name string, src Source, cfg resourceConfig, notify func()) (*resource, error) {
	r := &resource{name: name, src: src, cfg: cfg, rv: cfg.rv, needSynced: true, notify: notify}
	switch {
	case cfg.cache != nil:
		r.known = cfg.cache
	case cfg.list != nil:
		r.known = keys{}
	}
	if cfg.start {
		if err := r.startFrom(cfg.listed); err != nil {
			return nil, err
		}
	}
	r.needRelist = cfg.list != nil && r.rv == ""
	r.status = Status{State: StatePending, ResourceVersion: r.rv, Since: time.Now()}
	return r, nil
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

// setFailed records that the loop failed (failure: a *GiveUpError or a panic; last: the
// last error) and tells the Watcher.
func (r *resource) setFailed(failure, last error, attempts int) {
	r.setState(StateFailed, last, attempts)
	r.mu.Lock()
	r.failure = failure
	r.mu.Unlock()
	r.notify()
}

// setSynced records that the resource's state has been delivered and tells the Watcher.
func (r *resource) setSynced() {
	r.mu.Lock()
	was := r.status.Synced
	r.status.Synced = true
	r.mu.Unlock()
	if !was {
		r.notify()
	}
}

// syncState reports whether the resource is synced and, if not, why it never will be in this
// Run: the failure of its loop.
func (r *resource) syncState() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status.Synced {
		return true, nil
	}
	if r.status.State == StateFailed {
		return false, r.failure
	}
	return false, nil
}
