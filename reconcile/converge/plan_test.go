package converge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanListsChangesStepByStepInKeyOrder(t *testing.T) {
	desired := resTree(2, 3)
	e, r := newTree(desired, 2, nil)
	e.Put(stepRes{Name: "l0-01", Level: 0}, convergetest.PhaseScript{}) // exists
	e.Put(stepRes{Name: "l0-99", Level: 0}, convergetest.PhaseScript{}) // an orphan
	e.Put(stepRes{Name: "l1-98", Level: 1}, convergetest.PhaseScript{}) // an orphan one level down

	p, err := r.Plan(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "level 0: create l0-00, l0-02; destroy l0-99", p.String(),
		"level 0 plans creations, so it ends the pass: level 1's orphan waits for a later pass")
	assert.Equal(t, []string{"l0-00", "l0-02"}, resNames(p.Create()))
	assert.Equal(t, []string{"l0-99"}, resNames(p.Destroy()))
	assert.Zero(t, e.Mutations(), "Plan changes nothing")
}

func TestPlanShowsFailedAndPendingResourcesAndHidesFailedOnesFromSteps(t *testing.T) {
	desired := resTree(1, 2)
	e, r := newTree(desired, 1, nil)
	e.Put(stepRes{Name: "l0-01", Level: 0}, convergetest.PhaseScript{Fail: true})
	e.Put(stepRes{Name: "l0-00", Level: 0}, convergetest.PhaseScript{Stuck: true})

	p, err := r.Plan(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "failed: destroy l0-01\npending: wait for l0-00\nlevel 0: create l0-01", p.String(),
		"the steps do not see the failed resource: it is destroyed first, so they plan it again")
	assert.False(t, p.Empty())
}

func TestPlanOfAConvergedSystemIsEmpty(t *testing.T) {
	desired := resTree(2, 2)
	e, r := newTree(desired, 2, nil)
	for _, d := range desired {
		e.Put(d, convergetest.PhaseScript{})
	}
	p, err := r.Plan(t.Context())
	require.NoError(t, err)
	assert.True(t, p.Empty())
	assert.Equal(t, "no change", p.String())
}

func TestPlanNamesUnnamedStepsByPosition(t *testing.T) {
	step := converge.StepFunc[stepRes](func(context.Context, []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
		return converge.Changes[stepRes]{}, nil
	})
	e := convergetest.NewEngine(resKey)
	e.Put(stepRes{Name: "x"}, convergetest.PhaseScript{})
	r := converge.New(e, e, resKey, []converge.Step[stepRes]{step, step})
	p, err := r.Plan(t.Context())
	require.NoError(t, err)
	require.Len(t, p.Steps, 2)
	assert.Equal(t, "step 1", p.Steps[0].Step)
	assert.Equal(t, "step 2", p.Steps[1].Step)
}

func TestPlanReportsTheStepOrObserverThatFailed(t *testing.T) {
	boom := errors.New("boom")
	bad := converge.NamedStep("backends", converge.StepFunc[stepRes](
		func(context.Context, []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
			return converge.Changes[stepRes]{}, boom
		}))
	e := convergetest.NewEngine(resKey)
	_, err := converge.New(e, e, resKey, []converge.Step[stepRes]{bad}).Plan(t.Context())
	var se *converge.StepError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "backends", se.Step)
	assert.ErrorIs(t, err, boom)

	failing := converge.ObserverFunc[stepRes](func(context.Context) ([]converge.Observed[stepRes], error) {
		return nil, boom
	})
	_, err = converge.New(failing, e, resKey, nil).Plan(t.Context())
	assert.ErrorIs(t, err, boom)
}

func TestPhaseString(t *testing.T) {
	tests := []struct {
		p    converge.Phase
		want string
	}{
		{converge.PhasePending, "pending"},
		{converge.PhaseReady, "ready"},
		{converge.PhaseFailed, "failed"},
		{converge.Phase(7), "Phase(7)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.String())
	}
}

func TestAPlanBuiltByHandPrintsItsResourcesWithSprint(t *testing.T) {
	p := converge.Plan[int]{Steps: []converge.StepChanges[int]{
		{Step: "numbers", Changes: converge.Changes[int]{Create: []int{1, 2}}},
	}}
	assert.Equal(t, "numbers: create 1, 2", p.String())
}
