package converge_test

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// stepRes is the resource of these tests: a node of a dependency tree, named, at a level, with the
// name of its parent one level up ("" at level 0).
type stepRes struct {
	Name   string
	Level  int
	Parent string
}

func resKey(r stepRes) string { return r.Name }

// tree returns width resources per level, over levels levels; resource i of level l has
// resource i of level l-1 as its parent.
func resTree(levels, width int) []stepRes {
	var rs []stepRes
	for l := range levels {
		for i := range width {
			r := stepRes{Name: fmt.Sprintf("l%d-%02d", l, i), Level: l}
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
func levelSteps(desired []stepRes, levels int) []converge.Step[stepRes] {
	steps := make([]converge.Step[stepRes], levels)
	for l := range levels {
		steps[l] = converge.NamedStep(fmt.Sprintf("level %d", l), converge.StepFunc[stepRes](
			func(_ context.Context, observed []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
				return levelChanges(desired, l, observed), nil
			}))
	}
	return steps
}

func levelChanges(desired []stepRes, level int, observed []converge.Observed[stepRes]) converge.Changes[stepRes] {
	exists, want := map[string]bool{}, map[string]bool{}
	for _, o := range observed {
		exists[o.Resource.Name] = true
	}
	var c converge.Changes[stepRes]
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
func resNames(rs []stepRes) []string {
	ks := make([]string, len(rs))
	for i, r := range rs {
		ks[i] = r.Name
	}
	return ks
}

// fastOpts are policies in seconds, without jitter, so tests under synctest read simply.
func fastOpts(extra ...converge.Option) []converge.Option {
	return append([]converge.Option{
		converge.WithReadyPolicy(backoff.Policy{Initial: time.Second, Max: 8 * time.Second,
			MaxElapsed: time.Minute, Jitter: backoff.NoJitter}),
		converge.WithRetryPolicy(backoff.Policy{Initial: time.Second, Max: 8 * time.Second,
			MaxElapsed: backoff.Forever, Jitter: backoff.NoJitter}),
	}, extra...)
}

// newTree returns a fake engine and a reconciler that wants desired, over levels steps.
func newTree(desired []stepRes, levels int, engineOpts []convergetest.EngineOption, opts ...converge.Option) (*convergetest.Engine[stepRes], *converge.Reconciler[stepRes]) {
	e := convergetest.NewEngine(resKey, engineOpts...)
	return e, converge.New(e, e, resKey, levelSteps(desired, levels), fastOpts(opts...)...)
}
