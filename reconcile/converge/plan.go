package converge

import (
	"context"
	"fmt"
	"strings"
)

// Plan is what one pass would do, as [Reconciler.Plan] computes it without changing anything.
// Every list is sorted by the reconciler's key, so a Plan prints the same way for the same
// observed state. A Plan is a plain value: safe to read from several goroutines.
//
// [Reconciler.Reconcile] carries out a pass's plan in this order, then observes again: it
// destroys Failed if there are any; else it waits for what it destroyed and still observes
// (such resources are in no list of its plans, and no step sees them); else it waits for
// Pending if there are any; else it destroys what the steps plan to destroy if there is any;
// else it creates what the steps plan to create. A plan that is [Plan.Empty] means converged.
type Plan[R any] struct {
	// Failed are the resources observed in PhaseFailed: destroyed first.
	Failed []R
	// Pending are the resources observed in PhasePending: waited for before the steps'
	// changes are carried out.
	Pending []R
	// Steps are the steps that ran, in order, with what each plans, merged (see the package
	// doc): a key is in at most one Create list and at most one Destroy list, and in both only
	// for a replacement. The list ends with the first step that plans creations: later steps
	// run in a later pass.
	Steps []StepChanges[R]

	key   func(R) string
	going []R // within Reconcile: resources it destroyed that are still observed
}

// StepChanges is what one named step plans.
type StepChanges[R any] struct {
	Step string
	Changes[R]
}

// Empty reports whether the plan has nothing to do: nothing failed, nothing pending, no step
// plans a change.
func (p Plan[R]) Empty() bool {
	return len(p.Failed) == 0 && len(p.Pending) == 0 && len(p.Create()) == 0 && len(p.Destroy()) == 0
}

// Create returns what the steps plan to create, in step order.
func (p Plan[R]) Create() []R {
	var rs []R
	for _, s := range p.Steps {
		rs = append(rs, s.Create...)
	}
	return rs
}

// Destroy returns what the steps plan to destroy, in step order (Failed not included).
func (p Plan[R]) Destroy() []R {
	var rs []R
	for _, s := range p.Steps {
		rs = append(rs, s.Destroy...)
	}
	return rs
}

// String lists the plan one line per part, resources by key: "failed: destroy a, b",
// "pending: wait for c", then one line per step, "name: create d; destroy e" or
// "name: no change". An empty plan prints "no change". A Plan not made by a [Reconciler] prints
// its resources with fmt.Sprint.
func (p Plan[R]) String() string {
	if p.Empty() {
		return "no change"
	}
	var b strings.Builder
	if len(p.Failed) > 0 {
		fmt.Fprintf(&b, "failed: destroy %s\n", p.keys(p.Failed))
	}
	if len(p.Pending) > 0 {
		fmt.Fprintf(&b, "pending: wait for %s\n", p.keys(p.Pending))
	}
	for _, s := range p.Steps {
		var parts []string
		if len(s.Create) > 0 {
			parts = append(parts, "create "+p.keys(s.Create))
		}
		if len(s.Destroy) > 0 {
			parts = append(parts, "destroy "+p.keys(s.Destroy))
		}
		if len(parts) == 0 {
			parts = append(parts, "no change")
		}
		fmt.Fprintf(&b, "%s: %s\n", s.Step, strings.Join(parts, "; "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (p Plan[R]) keys(rs []R) string {
	ks := make([]string, len(rs))
	for i, r := range rs {
		if p.key == nil { // a Plan built by hand, not by a Reconciler
			ks[i] = fmt.Sprint(r)
			continue
		}
		ks[i] = p.key(r)
	}
	return strings.Join(ks, ", ")
}

// planFrom runs the steps over what was observed and returns the pass's plan, duplicates
// merged or refused (see plan_merge.go and ErrDuplicateKey). Resources whose key going reports
// (destroyed by this Reconcile call, still observed) go to p.going, and neither the steps nor
// Failed or Pending see them; going may be nil.
func (r *Reconciler[R]) planFrom(ctx context.Context, observed []Observed[R], going func(key string) bool) (Plan[R], error) {
	p := Plan[R]{key: r.key}
	observed, err := r.mergeObserved(observed)
	if err != nil {
		return Plan[R]{}, err
	}
	live := observed[:0:0]
	for _, o := range observed {
		if going != nil && going(r.key(o.Resource)) {
			p.going = append(p.going, o.Resource)
			continue
		}
		switch o.Phase {
		case PhaseFailed:
			p.Failed = append(p.Failed, o.Resource)
			continue
		case PhaseReady:
		default: // pending, or a phase the caller made up: waited for, never taken as ready
			p.Pending = append(p.Pending, o.Resource)
		}
		live = append(live, o)
	}
	m := newMerger(r, live)
	for i, s := range r.steps {
		c, err := s.Plan(ctx, live)
		if err == nil {
			c, err = m.add(&p, c)
		}
		if err != nil {
			return Plan[R]{}, &StepError{Step: stepName(s, i), Err: err}
		}
		p.Steps = append(p.Steps, StepChanges[R]{Step: stepName(s, i), Changes: c})
		if len(c.Create) > 0 {
			break
		}
	}
	return p, nil
}
