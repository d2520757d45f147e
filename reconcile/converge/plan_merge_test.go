package converge_test

import (
	"context"
	"sync"
	"testing"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specRes is a resource whose Equal compares what the caller declares, not the ID the system
// assigned.
type specRes struct {
	Name, Spec, ID string
}

func (r specRes) Equal(o specRes) bool { return r.Name == o.Name && r.Spec == o.Spec }

func specKey(r specRes) string { return r.Name }

func TestSameUsesTheEqualMethodElseDeepEqual(t *testing.T) {
	assert.True(t, converge.Same(specRes{"x", "s", "id-1"}, specRes{"x", "s", ""}), "Equal ignores the ID")
	assert.False(t, converge.Same(specRes{"x", "s", "id-1"}, specRes{"x", "t", "id-1"}))

	type tags struct {
		Name string
		Tags []string
	}
	assert.True(t, converge.Same(tags{"a", []string{"1"}}, tags{"a", []string{"1"}}), "deep: equal slices")
	assert.False(t, converge.Same(tags{"a", []string{"1"}}, tags{"a", []string{"2"}}))
	assert.True(t, converge.Same(&tags{Name: "a"}, &tags{Name: "a"}), "pointers compare what they point to")
}

// recordingEngine records the resources Destroy and Create are given.
type recordingEngine struct {
	mu                 sync.Mutex
	destroyed, created []specRes
}

func (e *recordingEngine) engine() converge.Engine[specRes] {
	return converge.EngineFuncs[specRes]{
		CreateFunc: func(_ context.Context, r specRes) (specRes, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.created = append(e.created, r)
			return r, nil
		},
		DestroyFunc: func(_ context.Context, r specRes) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.destroyed = append(e.destroyed, r)
			return nil
		},
		RefreshFunc: func(context.Context, specRes) (converge.Phase, error) { return converge.PhaseReady, nil },
	}
}

// whileObserved is a step that plans c while something is observed, nothing after.
func whileObserved(name string, c converge.Changes[specRes]) converge.Step[specRes] {
	return converge.NamedStep(name, converge.StepFunc[specRes](
		func(_ context.Context, o []converge.Observed[specRes]) (converge.Changes[specRes], error) {
			if len(o) == 0 {
				return converge.Changes[specRes]{}, nil
			}
			return c, nil
		}))
}

func TestAMergedDuplicateIsTheFirstPlannedWhateverTheListingOrder(t *testing.T) {
	x1, x2 := specRes{"x", "s", "id-1"}, specRes{"x", "s", "id-2"} // the same resource by Equal
	steps := []converge.Step[specRes]{
		whileObserved("s1", converge.Changes[specRes]{Destroy: []specRes{x2, x1}}),
		whileObserved("s2", converge.Changes[specRes]{Destroy: []specRes{x1}}),
	}
	e := &recordingEngine{}
	obs := converge.ObserverFunc[specRes](func(context.Context) ([]converge.Observed[specRes], error) {
		if len(e.destroyed) > 0 { // the observer runs when no engine call is in flight
			return nil, nil
		}
		return []converge.Observed[specRes]{{Resource: x1, Phase: converge.PhaseReady}}, nil
	})
	r := converge.New(obs, e.engine(), specKey, steps, fastOpts()...)
	require.NoError(t, r.Reconcile(t.Context()))
	assert.Equal(t, []specRes{x2}, e.destroyed, "one destroy, of the first planned: s1's first")

	// The observer's order does not change the plan; the first listed is kept.
	for _, listing := range [][]specRes{{x1, x2}, {x2, x1}} {
		var seen []converge.Observed[specRes]
		see := converge.NamedStep("see", converge.StepFunc[specRes](
			func(_ context.Context, o []converge.Observed[specRes]) (converge.Changes[specRes], error) {
				seen = o
				return converge.Changes[specRes]{Create: []specRes{{Name: "x", Spec: "s"}}}, nil
			}))
		obs := converge.ObserverFunc[specRes](func(context.Context) ([]converge.Observed[specRes], error) {
			var o []converge.Observed[specRes]
			for _, r := range listing {
				o = append(o, converge.Observed[specRes]{Resource: r, Phase: converge.PhaseReady})
			}
			return o, nil
		})
		p, err := converge.New(obs, e.engine(), specKey, []converge.Step[specRes]{see}).Plan(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []converge.Observed[specRes]{{Resource: listing[0], Phase: converge.PhaseReady}}, seen)
		assert.True(t, p.Empty(), "a create of what is observed, by Equal, is no change: %v", p)
	}
}
