package converge

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Reconciler drives a set of resources to what its steps want, through an [Engine]: the
// LBaaS step-reconciler pattern, generic over the resource type R. Make one with
// [New]. A Reconciler holds no state between calls and is safe for concurrent use,
// though two Reconcile calls over the same resources at once would fight each other.
type Reconciler[R any] struct {
	observer Observer[R]
	engine   Engine[R]
	key      func(R) string
	steps    []Step[R]
	o        options
}

// New returns a reconciler that observes with observer, plans with steps (in order)
// and acts through engine. key names a resource: it orders every list in a [Plan], names
// resources in errors and hooks, and tells that a resource planned again is the one that failed
// before, so it must be the same for the resource a step plans and the one the system reports
// (a name, not an identifier the system assigns). New starts nothing and does no I/O.
// It panics if observer, engine or key is nil (a programmer error).
func New[R any](observer Observer[R], engine Engine[R], key func(R) string, steps []Step[R], opts ...Option) *Reconciler[R] {
	if observer == nil || engine == nil || key == nil {
		panic("converge: New with a nil observer, engine or key")
	}
	r := &Reconciler[R]{observer: observer, engine: engine, key: key, steps: steps, o: defaultOptions()}
	for _, opt := range opts {
		opt(&r.o)
	}
	return r
}

// Plan observes once and runs the steps over what it saw, without changing anything: the
// plan of the next pass of [Reconciler.Reconcile]. It returns the observer's error wrapped, or a
// [*StepError] naming the step that failed. It blocks for as long as the observer and steps do.
func (r *Reconciler[R]) Plan(ctx context.Context) (Plan[R], error) {
	observed, err := r.observer.Observe(ctx)
	if err != nil {
		return Plan[R]{}, fmt.Errorf("converge: observe: %w", err)
	}
	return r.planFrom(ctx, observed, nil)
}

// Reconcile makes passes until a pass's plan is empty, and returns nil then. Each pass
// observes, plans (see [Reconciler.Plan]), and carries out one part of the plan, in this order
// of precedence:
//
//  1. Resources observed failed are destroyed.
//  2. Else, if resources this call destroyed (their Destroy returned nil) are still observed,
//     the pass waits the next delay of the ready policy ([WithReadyPolicy]) and the next pass
//     observes again. Such resources are not destroyed again, and the steps do not see them;
//     when the policy gives up on them, Reconcile returns a [*StuckError] matching
//     [ErrNoProgress] naming them, whose Last is the wait's *backoff.ExhaustedError.
//  3. Else resources observed pending are waited for ([WithReadyPolicy]).
//  4. Else what the steps plan to destroy is destroyed, in parallel
//     ([WithParallelism]). Destroys that fail are retried, after a delay
//     ([WithRetryPolicy]), for as long as each round destroys something; a round that
//     destroys nothing ends Reconcile with a [*StuckError] matching [ErrNoProgress].
//  5. Else what the steps plan to create is created, in parallel, and the created resources
//     are waited for. One found failed (by that wait, or by any later pass) is destroyed by the
//     next pass and created again by a later one, up to [WithReplaceLimit] failures of its key
//     over the whole call, after which a [*StuckError] matching [ErrReplaceLimit] names it.
//     Resources still pending when the ready policy gives up end Reconcile with a
//     [*StuckError] matching [ErrNotReady].
//
// On a converged system Reconcile observes once and makes no engine call.
//
// Other errors: a step's [*StepError]; two different resources observed or planned under one
// key ([ErrDuplicateKey]), at once; an engine or observer error marked backoff.Permanent, at once, wrapped; an invalid
// policy (matching backoff.ErrInvalidPolicy), before any call. When the budget
// ([WithBudget]) runs out or ctx ends, Reconcile stops waiting, cancels the engine
// calls in flight, waits for them to return, and returns a *backoff.ExhaustedError (matching
// backoff.ErrExhausted) whose Reason is [ErrBudgetExhausted] or ctx's cause, and whose Last is
// the last error seen. Reconcile starts goroutines only for engine calls and they have all
// returned when it returns.
func (r *Reconciler[R]) Reconcile(ctx context.Context) error {
	x, err := r.newRun()
	if err != nil {
		return err
	}
	if r.o.budget != backoff.Forever {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, r.o.budget, ErrBudgetExhausted)
		defer cancel()
	}
	for x.passes = 1; ; x.passes++ {
		p, err := x.plan(ctx)
		if err != nil {
			return err
		}
		r.o.passed(PassInfo{Pass: x.passes, Failed: len(p.Failed), Pending: len(p.Pending),
			Create: len(p.Create()), Destroy: len(p.Destroy()), Destroyed: len(p.going)})
		if p.Empty() && len(p.going) == 0 {
			return nil
		}
		if err := x.carryOut(ctx, p); err != nil {
			return err
		}
	}
}

// reconcileRun is the state of one Reconcile call.
type reconcileRun[R any] struct {
	r      *Reconciler[R]
	start  time.Time
	passes int
	retry  *backoff.Schedule
	ledger map[string]*keyLog // by key: failures, creations and destroys of this call
	linger *lingerWait        // the wait for destroyed resources still observed; nil if none
	last   error              // the last error seen, for an ExhaustedError
}

func (r *Reconciler[R]) newRun() (*reconcileRun[R], error) {
	if err := r.o.ready.Validate(); err != nil {
		return nil, fmt.Errorf("converge: ready policy: %w", err)
	}
	retry, err := backoff.NewSchedule(r.o.retry)
	if err != nil {
		return nil, fmt.Errorf("converge: retry policy: %w", err)
	}
	return &reconcileRun[R]{r: r, start: time.Now(), retry: retry, ledger: map[string]*keyLog{}}, nil
}

// carryOut does the one part of p that has precedence (see Reconcile).
func (x *reconcileRun[R]) carryOut(ctx context.Context, p Plan[R]) error {
	if len(p.going) == 0 {
		x.linger = nil // the next resources to linger get a wait of their own
	}
	switch {
	case len(p.Failed) > 0:
		x.foundFailed(p.Failed)
		return x.destroy(ctx, p.Failed)
	case len(p.going) > 0:
		return x.awaitGone(ctx, p.going)
	case len(p.Pending) > 0:
		_, err := x.wait(ctx, p.Pending)
		return err
	case len(p.Destroy()) > 0:
		return x.destroy(ctx, p.Destroy())
	default:
		return x.create(ctx, p.Create())
	}
}

// plan observes, retrying a failed observe after a delay, and plans.
func (x *reconcileRun[R]) plan(ctx context.Context) (Plan[R], error) {
	for {
		observed, err := x.r.observer.Observe(ctx)
		if err == nil {
			return x.r.planFrom(ctx, observed, x.going(observed))
		}
		if ctx.Err() != nil {
			return Plan[R]{}, x.stopped(ctx)
		}
		if inner, ok := backoff.IsPermanent(err); ok {
			return Plan[R]{}, fmt.Errorf("converge: observe: %w", inner)
		}
		err = fmt.Errorf("observe: %w", err)
		x.last = err
		if err := x.pause(ctx, []error{err}); err != nil {
			return Plan[R]{}, err
		}
	}
}

// stopped is the error for ctx having ended: the budget or the caller's cancellation.
func (x *reconcileRun[R]) stopped(ctx context.Context) error {
	return &backoff.ExhaustedError{Reason: context.Cause(ctx), Last: x.last, Attempts: x.passes,
		Elapsed: time.Since(x.start)}
}
