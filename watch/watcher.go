package watch

import (
	"context"
	"errors"
	"maps"
	"sync"
)

// Watcher watches named resources, each from its own [Source], and hands their events to one
// [Handler]. Make one with [New]; the zero Watcher is not usable. All methods are safe for
// concurrent use, also from the handler and the hooks (except Remove of the handler's own
// resource with a context that does not end: see [Watcher.Remove]).
type Watcher struct {
	h   Handler
	cfg config

	mu       sync.Mutex
	res      map[string]*resource
	draining map[string]chan struct{} // name -> done of a removed resource whose loop still runs
	run      *running                 // nil while Run is not running
	changed  chan struct{}            // closed and replaced when a resource syncs, fails or goes
}

// New returns a Watcher that hands events to h. It starts nothing: add resources with
// [Watcher.Add], then call [Watcher.Run]. A nil h, or an interface holding a nil pointer or
// func, is a programmer error: New panics. Nil options are ignored.
func New(h Handler, opts ...Option) *Watcher {
	if isNil(h) {
		panic("watch: New with a nil Handler")
	}
	w := &Watcher{h: h, res: map[string]*resource{}, draining: map[string]chan struct{}{}, changed: make(chan struct{})}
	for _, opt := range opts {
		if opt != nil {
			opt(&w.cfg)
		}
	}
	return w
}

// Add adds a resource named name, watched from src. Before Run it is started when Run starts;
// while Run runs, it starts at once. It returns [ErrExists] if the name is taken, and an error
// for an empty name or a nil src (or an interface holding a nil pointer or func), for a
// [WithCache] without [WithList] or with a Cache another resource has, and for a [WithListed]
// list it cannot read. Nil options are ignored. It does not block: if a resource of the same name was removed and its loop has
// not returned yet (Remove returned early), the new one waits, on its own goroutine, for that
// loop to return before it starts, so one name's handler is never called twice at once.
func (w *Watcher) Add(name string, src Source, opts ...ResourceOption) error {
	if name == "" || isNil(src) {
		return errors.New("watch: Add needs a name and a Source")
	}
	var cfg resourceConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.cache != nil && cfg.list == nil {
		return errors.New("watch: WithCache needs WithList")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.res[name]; ok {
		return ErrExists
	}
	if cfg.cache != nil {
		if err := cfg.cache.attach(name); err != nil {
			return err
		}
	}
	r, err := newResource(name, src, cfg, w.notify)
	if err != nil {
		if cfg.cache != nil {
			cfg.cache.detach()
		}
		return err
	}
	if prev, ok := w.draining[name]; ok {
		r.after = prev // the new resource takes over the wait; a later Remove passes it on
		delete(w.draining, name)
	}
	w.res[name] = r
	if w.run != nil {
		w.start(w.run, r)
	}
	return nil
}

// Remove stops the resource named name and forgets it. A running handler is not interrupted:
// its context is cancelled (with cause [ErrRemoved]) and Remove waits for it and the resource's
// loop to return, or for ctx to end (then it returns ctx's cause; the resource still stops,
// and Run still waits for it). A removed resource no longer ends Run by giving up.
// Called from the handler of the resource it removes, it must be given the handler's context,
// which it cancels, or it would wait for itself. It returns [ErrUnknownResource] for an unknown
// name. The resource's [Cache] keeps its content, and may be given to another resource once
// Remove has returned nil.
func (w *Watcher) Remove(ctx context.Context, name string) error {
	w.mu.Lock()
	r, ok := w.res[name]
	if !ok {
		w.mu.Unlock()
		return ErrUnknownResource
	}
	delete(w.res, name)
	cancel, done := r.cancel, r.done
	if done != nil && !closed(done) {
		w.draining[name] = done // an Add of the same name starts after it
	}
	w.mu.Unlock()
	w.notify()
	if cancel == nil {
		r.free()
		return nil
	}
	cancel(ErrRemoved)
	select {
	case <-done:
		r.free()
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// free lets a removed resource's Cache, which keeps its content, be another resource's.
func (r *resource) free() {
	if r.cfg.cache != nil {
		r.cfg.cache.detach()
	}
}

// forget drops the draining entry of a loop that has returned; done is closed.
func (w *Watcher) forget(name string, done chan struct{}) {
	w.mu.Lock()
	if w.draining[name] == done {
		delete(w.draining, name)
	}
	w.mu.Unlock()
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Status returns a snapshot of every resource's [Status], by name. It does not block on the
// resources' loops.
func (w *Watcher) Status() map[string]Status {
	w.mu.Lock()
	res := maps.Clone(w.res)
	w.mu.Unlock()
	out := make(map[string]Status, len(res))
	for name, r := range res {
		out[name] = r.snapshot()
	}
	return out
}

// Healthy reports whether no resource has given up, for a liveness probe. A resource that
// gave up stays failed until the next Run.
func (w *Watcher) Healthy() bool {
	for _, s := range w.Status() {
		if s.State == StateFailed {
			return false
		}
	}
	return true
}
