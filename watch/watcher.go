package watch

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/steadfast-go/steadfast/backoff"
)

// Watcher watches named resources, each from its own [Source], and hands their events to one
// [Handler]. Make one with [New]; the zero Watcher is not usable. All methods are safe for
// concurrent use, also from the handler (except Remove of the handler's own resource with a
// context that does not end: see [Watcher.Remove]).
type Watcher struct {
	h   Handler
	cfg config

	mu  sync.Mutex
	res map[string]*resource
	run *running // nil while Run is not running
}

// running is the state of one Run call.
type running struct {
	ctx      context.Context // Run's context, parent of every resource's
	wg       sync.WaitGroup  // the resource goroutines
	stopping bool            // set before wg.Wait: no more goroutines may start
	failed   chan *GiveUpError
}

// New returns a Watcher that hands events to h. It starts nothing: add resources with
// [Watcher.Add], then call [Watcher.Run]. A nil h is a programmer error: New panics.
func New(h Handler, opts ...Option) *Watcher {
	if h == nil {
		panic("watch: New with a nil Handler")
	}
	w := &Watcher{h: h, res: map[string]*resource{}}
	for _, opt := range opts {
		opt(&w.cfg)
	}
	return w
}

// Add adds a resource named name, watched from src. Before Run it is started when Run starts;
// while Run runs, it starts at once. It returns [ErrExists] if the name is taken, and an error
// for an empty name or a nil src. It does not block.
func (w *Watcher) Add(name string, src Source, opts ...ResourceOption) error {
	if name == "" || src == nil {
		return errors.New("watch: Add needs a name and a Source")
	}
	var cfg resourceConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.res[name]; ok {
		return ErrExists
	}
	r := newResource(name, src, cfg)
	w.res[name] = r
	if w.run != nil {
		w.start(w.run, r)
	}
	return nil
}

// Remove stops the resource named name and forgets it. A running handler is not interrupted:
// its context is cancelled (with cause [ErrRemoved]) and Remove waits for it and the resource's
// loop to return, or for ctx to end (then it returns ctx's error; the resource still stops).
// Called from the handler of the resource it removes, it must be given the handler's context,
// which it cancels, or it would wait for itself. It returns [ErrUnknownResource] for an unknown
// name.
func (w *Watcher) Remove(ctx context.Context, name string) error {
	w.mu.Lock()
	r, ok := w.res[name]
	delete(w.res, name)
	w.mu.Unlock()
	if !ok {
		return ErrUnknownResource
	}
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel(ErrRemoved)
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Run watches every resource, each on its own goroutine, until ctx ends (it returns nil) or a
// resource gives up (it returns that resource's [*GiveUpError]). Either way it cancels every
// resource's context (cause [ErrStopped]), waits for their handlers and loops to return, and
// only then returns. It returns [ErrRunning] if Run is already running, and the policy's
// validation error if [WithPolicy] was given an invalid one. Run may be called again after it
// returned: each resource resumes from where it was.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.cfg.policy.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(ErrStopped)
	run := &running{ctx: ctx, failed: make(chan *GiveUpError, 1)}
	w.mu.Lock()
	if w.run != nil {
		w.mu.Unlock()
		return ErrRunning
	}
	w.run = run
	for _, r := range w.res {
		w.start(run, r)
	}
	w.mu.Unlock()

	var err error
	select {
	case <-ctx.Done():
	case gu := <-run.failed:
		err = gu
	}
	cancel(ErrStopped)
	w.mu.Lock()
	run.stopping = true
	w.mu.Unlock()
	run.wg.Wait() // every Add after stopping was set starts nothing, so Wait is not racing Add
	w.mu.Lock()
	w.run = nil
	w.mu.Unlock()
	return err
}

// start runs r's loop on a new goroutine; w.mu must be held.
func (w *Watcher) start(run *running, r *resource) {
	if run.stopping {
		return
	}
	ctx, cancel := context.WithCancelCause(run.ctx)
	done := make(chan struct{})
	r.mu.Lock()
	r.cancel, r.done = cancel, done
	r.mu.Unlock()
	sched, _ := backoff.NewSchedule(w.cfg.policy) // validated by Run
	l := &loop{r: r, h: w.h, cfg: &w.cfg, sched: sched, phase: StateWatching}
	run.wg.Add(1)
	go func() {
		defer run.wg.Done()
		defer close(done)
		defer cancel(ErrStopped)
		if gu := l.run(ctx); gu != nil {
			select {
			case run.failed <- gu: // the first give-up ends Run; later ones are in Status
			default:
			}
		}
	}()
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
