package converge

import (
	"context"
	"fmt"
)

// Phase is where a resource is in its lifecycle, as the caller's observe function and
// [Engine.Refresh] report it. The zero value is [PhasePending]: a resource whose phase nobody
// set is waited for, never taken as ready.
type Phase int

// The phases of a resource.
const (
	// PhasePending: the resource exists and is still being provisioned; the reconciler waits.
	PhasePending Phase = iota
	// PhaseReady: the resource exists and works.
	PhaseReady
	// PhaseFailed: the resource exists and will never work; the reconciler destroys it, and
	// the steps plan it again.
	PhaseFailed
)

// String returns "pending", "ready" or "failed".
func (p Phase) String() string {
	switch p {
	case PhasePending:
		return "pending"
	case PhaseReady:
		return "ready"
	case PhaseFailed:
		return "failed"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Observed is one existing resource and its phase, as the [Observer] saw it.
type Observed[R any] struct {
	Resource R
	Phase    Phase
}

// Observer lists the resources that exist now, each with its phase. It is called once at the
// start of every pass; it must not change anything. The reconciler calls it from one goroutine
// at a time.
type Observer[R any] interface {
	Observe(ctx context.Context) ([]Observed[R], error)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc[R any] func(ctx context.Context) ([]Observed[R], error)

// Observe calls f.
func (f ObserverFunc[R]) Observe(ctx context.Context) ([]Observed[R], error) { return f(ctx) }

var _ Observer[int] = ObserverFunc[int](nil)

// Changes is what one step plans: resources to create and resources to destroy. The zero value
// plans nothing.
type Changes[R any] struct {
	Create  []R
	Destroy []R
}

// Empty reports whether c plans nothing.
func (c Changes[R]) Empty() bool { return len(c.Create) == 0 && len(c.Destroy) == 0 }

// Step turns what exists into changes for one kind of resource (the load balancer's frontends,
// its backends, ...). Steps run in order and see only what was observed, never what an earlier
// step of the same pass planned: a step that plans creations ends the pass, so a later step
// never plans a child whose parent is not there yet. The resources a step sees exclude those
// observed failed (they are destroyed before any step's plan is carried out). Plan must not
// change anything; the reconciler calls it from one goroutine at a time.
type Step[R any] interface {
	Plan(ctx context.Context, observed []Observed[R]) (Changes[R], error)
}

// StepFunc adapts a function to [Step]. In a printed [Plan] it is named by its position
// ("step 2"); wrap it with [NamedStep] to give it a name.
type StepFunc[R any] func(ctx context.Context, observed []Observed[R]) (Changes[R], error)

// Plan calls f.
func (f StepFunc[R]) Plan(ctx context.Context, observed []Observed[R]) (Changes[R], error) {
	return f(ctx, observed)
}

var _ Step[int] = StepFunc[int](nil)

// NamedStep returns s under a name, which a printed [Plan] and error messages show. A step
// that is a [fmt.Stringer] is named by its String method; any other is named by its position.
func NamedStep[R any](name string, s Step[R]) Step[R] { return namedStep[R]{name, s} }

type namedStep[R any] struct {
	name string
	Step[R]
}

func (n namedStep[R]) String() string { return n.name }

// stepName is how a plan prints step i (counted from 0).
func stepName[R any](s Step[R], i int) string {
	if n, ok := s.(fmt.Stringer); ok {
		return n.String()
	}
	return fmt.Sprintf("step %d", i+1)
}
