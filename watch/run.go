package watch

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/steadfast-go/steadfast/backoff"
)

// running is the state of one Run call.
type running struct {
	ctx      context.Context // Run's context, parent of every resource's
	wg       sync.WaitGroup  // the resource goroutines, removed ones included
	stopping bool            // set before wg.Wait: no more goroutines may start
	// The first give-up and the first panic; buffered so that a loop never waits for Run.
	failed   chan *GiveUpError
	panicked chan *panicError
}

// Run watches every resource, each on its own goroutine, until ctx ends (it returns nil) or a
// resource gives up (it returns that resource's [*GiveUpError]). Either way it cancels every
// resource's context (cause [ErrStopped]), waits for their handlers and loops to return, and
// only then returns. It returns [ErrRunning] if Run is already running, and the policy's
// validation error if [WithPolicy] was given an invalid one. Run may be called again after it
// returned: each resource resumes from where it was.
//
// If the handler (or a resyncer, source, list function or hook) panics on a resource's
// goroutine, that resource's stream is stopped and the resource marked failed; Run stops every
// other resource as above and then panics, on its own goroutine, with an error that names the
// resource and carries the value (errors.Is and errors.As reach it when it is an error) and
// the stack where it panicked.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.cfg.policy.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(ErrStopped)
	run := &running{ctx: ctx, failed: make(chan *GiveUpError, 1), panicked: make(chan *panicError, 1)}
	if !w.begin(run) {
		return ErrRunning
	}
	var err error
	var p *panicError
	select {
	case <-ctx.Done():
	case gu := <-run.failed:
		err = gu
	case p = <-run.panicked:
	}
	cancel(ErrStopped)
	w.end(run)
	if p == nil && len(run.panicked) > 0 { // a panic while stopping is not lost either
		p = <-run.panicked
	}
	if p != nil {
		panic(p)
	}
	return err
}

// begin makes run the running Run and starts every resource, or reports that one runs.
func (w *Watcher) begin(run *running) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.run != nil {
		return false
	}
	w.run = run
	for _, r := range w.res {
		w.start(run, r)
	}
	return true
}

// end waits for every loop of run, then lets another Run begin.
func (w *Watcher) end(run *running) {
	w.mu.Lock()
	run.stopping = true
	w.mu.Unlock()
	run.wg.Wait() // every Add after stopping was set starts nothing, so Wait is not racing Add
	w.mu.Lock()
	w.run = nil
	w.mu.Unlock()
}

// start runs r's loop on a new goroutine, after the loop of a removed resource of the same
// name (r.after) has returned; w.mu must be held.
func (w *Watcher) start(run *running, r *resource) {
	if run.stopping {
		return
	}
	ctx, cancel := context.WithCancelCause(run.ctx)
	done, after := make(chan struct{}), r.after
	r.cancel, r.done, r.after = cancel, done, nil
	sched, _ := backoff.NewSchedule(w.cfg.policy) // validated by Run
	hsched, _ := backoff.NewSchedule(w.cfg.policy)
	l := &loop{r: r, h: w.h, cfg: &w.cfg, sched: sched, hsched: hsched, phase: StateWatching}
	run.wg.Add(1)
	go func() {
		defer run.wg.Done()
		defer w.forget(r.name, done) // after close(done): see Remove
		defer close(done)
		defer cancel(ErrStopped)
		if after != nil {
			<-after // it was cancelled when removed, and belongs to this Run: it returns
		}
		w.runLoop(ctx, run, l)
	}()
}

// runLoop runs l and reports a give-up, or a panic (or runtime.Goexit) on its way out, to Run.
func (w *Watcher) runLoop(ctx context.Context, run *running, l *loop) {
	returned := false
	defer func() {
		if returned {
			return
		}
		p := &panicError{resource: l.r.name, value: recover(), stack: debug.Stack()}
		l.r.setFailed(p, p, l.attempts())
		select {
		case run.panicked <- p:
		default:
		}
	}()
	gu := l.run(ctx)
	returned = true
	if gu == nil || errors.Is(context.Cause(ctx), ErrRemoved) || w.cfg.keepRunning {
		return
	}
	select {
	case run.failed <- gu: // the first give-up ends Run; later ones are in Status
	default:
	}
}

// panicError is what Run panics with when a resource's goroutine panicked.
type panicError struct {
	resource string
	value    any // nil for runtime.Goexit
	stack    []byte
}

func (p *panicError) Error() string {
	what := fmt.Sprintf("panicked: %v", p.value)
	if p.value == nil {
		what = "called runtime.Goexit"
	}
	return fmt.Sprintf("watch: resource %q %s\n\n%s", p.resource, what, p.stack)
}

// Unwrap returns the value it panicked with, when that is an error.
func (p *panicError) Unwrap() error {
	err, _ := p.value.(error)
	return err
}
