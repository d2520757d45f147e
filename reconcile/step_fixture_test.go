package reconcile_test

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// res is the resource of these tests: a node of a dependency tree, named, at a level, with the
// name of its parent one level up ("" at level 0).
type res struct {
	Name   string
	Level  int
	Parent string
}

func key(r res) string { return r.Name }

// tree returns width resources per level, over levels levels; resource i of level l has
// resource i of level l-1 as its parent.
func tree(levels, width int) []res {
	var rs []res
	for l := range levels {
		for i := range width {
			r := res{Name: fmt.Sprintf("l%d-%02d", l, i), Level: l}
			if l > 0 {
				r.Parent = fmt.Sprintf("l%d-%02d", l-1, i)
			}
			rs = append(rs, r)
		}
	}
	return rs
}

// levelSteps returns one step per level, named "level N": it plans to create the desired
// resources of its level whose parent exists and that do not, and to destroy the resources of
// its level that exist and are not desired.
func levelSteps(desired []res, levels int) []reconcile.Step[res] {
	steps := make([]reconcile.Step[res], levels)
	for l := range levels {
		steps[l] = reconcile.NamedStep(fmt.Sprintf("level %d", l), reconcile.StepFunc[res](
			func(_ context.Context, observed []reconcile.Observed[res]) (reconcile.Changes[res], error) {
				return levelChanges(desired, l, observed), nil
			}))
	}
	return steps
}

func levelChanges(desired []res, level int, observed []reconcile.Observed[res]) reconcile.Changes[res] {
	exists, want := map[string]bool{}, map[string]bool{}
	for _, o := range observed {
		exists[o.Resource.Name] = true
	}
	var c reconcile.Changes[res]
	for _, d := range desired {
		if d.Level != level {
			continue
		}
		want[d.Name] = true
		if !exists[d.Name] && (d.Parent == "" || exists[d.Parent]) {
			c.Create = append(c.Create, d)
		}
	}
	for _, o := range observed {
		if o.Resource.Level == level && !want[o.Resource.Name] {
			c.Destroy = append(c.Destroy, o.Resource)
		}
	}
	return c
}

// names returns the keys of rs in their order.
func names(rs []res) []string {
	ks := make([]string, len(rs))
	for i, r := range rs {
		ks[i] = r.Name
	}
	return ks
}

// fastOpts are policies in seconds, without jitter, so tests under synctest read simply.
func fastOpts(extra ...reconcile.ReconcilerOption) []reconcile.ReconcilerOption {
	return append([]reconcile.ReconcilerOption{
		reconcile.WithReadyPolicy(backoff.Policy{Initial: time.Second, Max: 8 * time.Second,
			MaxElapsed: time.Minute, Jitter: backoff.NoJitter}),
		reconcile.WithReconcileRetryPolicy(backoff.Policy{Initial: time.Second, Max: 8 * time.Second,
			MaxElapsed: backoff.Forever, Jitter: backoff.NoJitter}),
	}, extra...)
}

// newTree returns a fake engine and a reconciler that wants desired, over levels steps.
func newTree(desired []res, levels int, engineOpts []reconciletest.EngineOption, opts ...reconcile.ReconcilerOption) (*reconciletest.Engine[res], *reconcile.Reconciler[res]) {
	e := reconciletest.NewEngine(key, engineOpts...)
	return e, reconcile.NewReconciler(e, e, key, levelSteps(desired, levels), fastOpts(opts...)...)
}
