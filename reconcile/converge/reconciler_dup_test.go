package converge_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedStep is a step that plans c whatever it sees.
func fixedStep(name string, c converge.Changes[stepRes]) converge.Step[stepRes] {
	return planStep(name, func([]converge.Observed[stepRes]) converge.Changes[stepRes] { return c })
}

// planStep is a named step made of a function of what was observed.
func planStep(name string, plan func([]converge.Observed[stepRes]) converge.Changes[stepRes]) converge.Step[stepRes] {
	return converge.NamedStep(name, converge.StepFunc[stepRes](
		func(_ context.Context, observed []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
			return plan(observed), nil
		}))
}

// observedTwice is e's observer listing everything it lists twice.
func observedTwice(e *convergetest.Engine[stepRes]) converge.Observer[stepRes] {
	return converge.ObserverFunc[stepRes](func(ctx context.Context) ([]converge.Observed[stepRes], error) {
		o, err := e.Observe(ctx)
		return append(o, o...), err
	})
}

func has(observed []converge.Observed[stepRes], name string) bool {
	for _, o := range observed {
		if o.Resource.Name == name {
			return true
		}
	}
	return false
}

func TestReconcileMergesTheSameResourcePlannedOrObservedTwice(t *testing.T) {
	a, x := stepRes{Name: "a"}, stepRes{Name: "x"}
	createA := func(o []converge.Observed[stepRes]) converge.Changes[stepRes] {
		if has(o, "a") {
			return converge.Changes[stepRes]{}
		}
		return converge.Changes[stepRes]{Create: []stepRes{a, a}}
	}
	destroyX := func(o []converge.Observed[stepRes]) converge.Changes[stepRes] {
		if !has(o, "x") {
			return converge.Changes[stepRes]{}
		}
		return converge.Changes[stepRes]{Destroy: []stepRes{x, x}}
	}
	tests := []struct {
		name     string
		steps    []converge.Step[stepRes]
		twice    bool   // the observer lists everything twice
		wantPlan string // of the first pass
		wantKeys []string
	}{
		{"a step creates one resource twice", []converge.Step[stepRes]{planStep("s", createA)}, false,
			"s: create a", []string{"a", "x"}},
		{"a step destroys one resource twice", []converge.Step[stepRes]{planStep("s", destroyX)}, false,
			"s: destroy x", []string{}},
		{"two steps destroy one resource", []converge.Step[stepRes]{planStep("s1", destroyX), planStep("s2", destroyX)}, false,
			"s1: destroy x\ns2: no change", []string{}},
		{"the observer lists one resource twice", []converge.Step[stepRes]{planStep("s", destroyX)}, true,
			"s: destroy x", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := convergetest.NewEngine(resKey)
				e.Put(x, convergetest.PhaseScript{})
				var obs converge.Observer[stepRes] = e
				if tt.twice {
					obs = observedTwice(e)
				}
				r := converge.New(obs, e, resKey, tt.steps, fastOpts()...)
				p, err := r.Plan(t.Context())
				require.NoError(t, err)
				assert.Equal(t, tt.wantPlan, p.String())
				require.NoError(t, r.Reconcile(t.Context()))
				assert.Equal(t, tt.wantKeys, e.Keys())
				assert.Equal(t, 1, e.Mutations(), "one call for the resource planned twice")
			})
		})
	}
}

func TestReconcileCreatesASharedParentTwoConsumersDeclareOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := stepRes{Name: "p"}
		// Each consumer declares the parent it needs, whether or not it exists: the
		// reconciler merges the two declarations, and a declaration of what exists is no
		// change, so the pass goes on to the children.
		parents := fixedStep("parents", converge.Changes[stepRes]{Create: []stepRes{p, p}})
		children := planStep("children", func(o []converge.Observed[stepRes]) converge.Changes[stepRes] {
			var c converge.Changes[stepRes]
			for _, name := range []string{"c1", "c2"} {
				if has(o, "p") && !has(o, name) {
					c.Create = append(c.Create, stepRes{Name: name, Level: 1, Parent: "p"})
				}
			}
			return c
		})
		e := convergetest.NewEngine(resKey)
		r := converge.New(e, e, resKey, []converge.Step[stepRes]{parents, children}, fastOpts()...)
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, []string{"c1", "c2", "p"}, e.Keys())
		assert.Equal(t, 1, e.Creations("p"))
		assert.Equal(t, 3, e.Mutations(), "three creates, nothing else")
		plan, err := r.Plan(t.Context())
		require.NoError(t, err)
		assert.True(t, plan.Empty(), "declaring what exists is no change: %v", plan)
	})
}

func TestReconcileNeverDestroysWhatTheSamePassCreates(t *testing.T) {
	x := stepRes{Name: "x"}
	both := converge.Changes[stepRes]{Destroy: []stepRes{x}, Create: []stepRes{x}}
	tests := []struct {
		name        string
		steps       []converge.Step[stepRes]
		exists      bool
		wantPlan    string
		wantCreates int
	}{
		{"one step, the resource exists: no change",
			[]converge.Step[stepRes]{fixedStep("s", both)}, true, "no change", 0},
		{"one step, the resource is not there: created",
			[]converge.Step[stepRes]{fixedStep("s", both)}, false, "s: create x", 1},
		{"an earlier step destroys what a later one creates, which exists: no change", []converge.Step[stepRes]{
			fixedStep("s1", converge.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", converge.Changes[stepRes]{Create: []stepRes{x}})}, true, "no change", 0},
		{"an earlier step destroys what a later one creates, which is not there: created", []converge.Step[stepRes]{
			fixedStep("s1", converge.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", converge.Changes[stepRes]{Create: []stepRes{x}})}, false, "s1: no change\ns2: create x", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := convergetest.NewEngine(resKey)
				if tt.exists {
					e.Put(x, convergetest.PhaseScript{})
				}
				r := converge.New(e, e, resKey, tt.steps, fastOpts()...)
				p, err := r.Plan(t.Context())
				require.NoError(t, err)
				assert.Equal(t, tt.wantPlan, p.String())
				// The fixed steps plan x again once it exists, which is then no change.
				require.NoError(t, r.Reconcile(t.Context()))
				assert.Equal(t, []string{"x"}, e.Keys())
				assert.Zero(t, e.Count(convergetest.OpDestroy), "x is never destroyed")
				assert.Equal(t, tt.wantCreates, e.Count(convergetest.OpCreate))
			})
		})
	}
}

func TestReconcileReplacesAResourceADifferentOneTakesTheKeyOf(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		old, repl := stepRes{Name: "x", Parent: "a"}, stepRes{Name: "x", Parent: "b"} // x moves from a to b
		step := planStep("s", func(o []converge.Observed[stepRes]) converge.Changes[stepRes] {
			var c converge.Changes[stepRes]
			for _, ob := range o {
				if ob.Resource != repl {
					c.Destroy = append(c.Destroy, ob.Resource)
				}
			}
			if !has(o, "x") || c.Destroy != nil {
				c.Create = append(c.Create, repl)
			}
			return c
		})
		e := convergetest.NewEngine(resKey)
		e.Put(old, convergetest.PhaseScript{DestroyTakes: 3 * time.Second}) // deleted asynchronously
		r := converge.New(e, e, resKey, []converge.Step[stepRes]{step}, fastOpts()...)
		p, err := r.Plan(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "s: create x; destroy x", p.String(), "a replacement: both stay in the plan")

		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, []converge.Observed[stepRes]{{Resource: repl, Phase: converge.PhaseReady}}, e.Existing())
		calls := e.Calls()
		var ops []convergetest.EngineOp
		for _, c := range calls {
			if c.Op != convergetest.OpObserve && c.Op != convergetest.OpRefresh {
				ops = append(ops, c.Op)
				assert.NoError(t, c.Err, "%s of %s", c.Op, c.Key)
			}
		}
		assert.Equal(t, []convergetest.EngineOp{convergetest.OpDestroy, convergetest.OpCreate}, ops,
			"the old one is destroyed, and the new one created once the old one is gone")
	})
}

func TestReconcileRefusesTwoDifferentResourcesUnderOneKeyAndDoesNothing(t *testing.T) {
	a1, a2 := stepRes{Name: "a", Parent: "p1"}, stepRes{Name: "a", Parent: "p2"}
	x, x2 := stepRes{Name: "x"}, stepRes{Name: "x", Level: 1}
	tests := []struct {
		name     string
		steps    []converge.Step[stepRes]
		observe  func(e *convergetest.Engine[stepRes]) converge.Observer[stepRes]
		wantStep string // the step the error names; "" for the observer
		wantMsg  string
	}{
		{"a step creates two resources under one key", []converge.Step[stepRes]{
			fixedStep("s", converge.Changes[stepRes]{Create: []stepRes{a1, a2}})}, nil,
			"s", "converge: s: key a planned to create twice, as two different resources: converge: duplicate key"},
		{"a step destroys two resources under one key", []converge.Step[stepRes]{
			fixedStep("s", converge.Changes[stepRes]{Destroy: []stepRes{x, x2}})}, nil,
			"s", "key x planned to destroy twice, as two different resources"},
		{"two steps destroy two resources under one key", []converge.Step[stepRes]{
			fixedStep("s1", converge.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", converge.Changes[stepRes]{Destroy: []stepRes{x2}})}, nil,
			"s2", "key x planned to destroy twice"},
		{"the observer lists two resources under one key", nil,
			func(e *convergetest.Engine[stepRes]) converge.Observer[stepRes] {
				return converge.ObserverFunc[stepRes](func(ctx context.Context) ([]converge.Observed[stepRes], error) {
					o, err := e.Observe(ctx)
					return append(o, converge.Observed[stepRes]{Resource: x2, Phase: converge.PhaseReady}), err
				})
			}, "", "converge: observe: key x listed twice, as two different resources: converge: duplicate key"},
		{"the observer lists one resource in two phases", nil,
			func(e *convergetest.Engine[stepRes]) converge.Observer[stepRes] {
				return converge.ObserverFunc[stepRes](func(ctx context.Context) ([]converge.Observed[stepRes], error) {
					o, err := e.Observe(ctx)
					return append(o, converge.Observed[stepRes]{Resource: x, Phase: converge.PhaseFailed}), err
				})
			}, "", "observe: key x listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Latency, so that a pass repeated without end also spends its budget.
				e := convergetest.NewEngine(resKey, convergetest.WithEngineLatency(time.Millisecond))
				e.Put(x, convergetest.PhaseScript{})
				var obs converge.Observer[stepRes] = e
				if tt.observe != nil {
					obs = tt.observe(e)
				}
				r := converge.New(obs, e, resKey, tt.steps, fastOpts()...)
				_, planErr := r.Plan(t.Context())
				err := r.Reconcile(t.Context())
				for _, err := range []error{planErr, err} {
					require.ErrorIs(t, err, converge.ErrDuplicateKey)
					assert.ErrorContains(t, err, tt.wantMsg)
					var se *converge.StepError
					if tt.wantStep != "" {
						require.ErrorAs(t, err, &se)
						assert.Equal(t, tt.wantStep, se.Step)
					} else {
						assert.False(t, errors.As(err, &se), "the observer's error is no step's")
					}
				}
				assert.Zero(t, e.Mutations(), "nothing of the pass was done")
			})
		})
	}
}
