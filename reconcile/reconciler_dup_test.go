package reconcile_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// fixedStep is a step that plans c whatever it sees.
func fixedStep(name string, c reconcile.Changes[stepRes]) reconcile.Step[stepRes] {
	return reconcile.NamedStep(name, reconcile.StepFunc[stepRes](
		func(context.Context, []reconcile.Observed[stepRes]) (reconcile.Changes[stepRes], error) {
			return c, nil
		}))
}

func TestReconcileRefusesAPassThatNamesAKeyTwiceAndDoesNothingOfIt(t *testing.T) {
	a, x := stepRes{Name: "a"}, stepRes{Name: "x"}
	tests := []struct {
		name     string
		steps    []reconcile.Step[stepRes]
		twice    bool   // the observer lists x twice
		failedX  bool   // x exists in PhaseFailed
		wantStep string // the step the error names; "" for the observer
	}{
		{"a step creates a key twice", []reconcile.Step[stepRes]{
			fixedStep("s", reconcile.Changes[stepRes]{Create: []stepRes{a, a}})}, false, false, "s"},
		{"a step destroys a key twice", []reconcile.Step[stepRes]{
			fixedStep("s", reconcile.Changes[stepRes]{Destroy: []stepRes{x, x}})}, false, false, "s"},
		{"two steps destroy one key", []reconcile.Step[stepRes]{
			fixedStep("s1", reconcile.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", reconcile.Changes[stepRes]{Destroy: []stepRes{x}})}, false, false, "s2"},
		{"a step destroys and creates one key", []reconcile.Step[stepRes]{
			fixedStep("s", reconcile.Changes[stepRes]{Destroy: []stepRes{x}, Create: []stepRes{x}})}, false, false, "s"},
		{"a later step creates what an earlier one destroys", []reconcile.Step[stepRes]{
			fixedStep("s1", reconcile.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", reconcile.Changes[stepRes]{Create: []stepRes{x}})}, false, false, "s2"},
		{"the observer lists a failed key twice", nil, true, true, ""},
		{"the observer lists a key twice", nil, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Latency, so that a pass repeated without end also spends its budget.
				e := reconciletest.NewEngine(resKey, reconciletest.WithEngineLatency(time.Millisecond))
				e.Put(x, reconciletest.PhaseScript{Fail: tt.failedX})
				var obs reconcile.Observer[stepRes] = e
				if tt.twice {
					obs = reconcile.ObserverFunc[stepRes](func(ctx context.Context) ([]reconcile.Observed[stepRes], error) {
						o, err := e.Observe(ctx)
						return append(o, o...), err
					})
				}
				r := reconcile.NewReconciler(obs, e, resKey, tt.steps, fastOpts()...)
				_, planErr := r.Plan(t.Context())
				err := r.Reconcile(t.Context())
				for _, err := range []error{planErr, err} {
					require.ErrorIs(t, err, reconcile.ErrDuplicateKey)
					var se *reconcile.StepError
					if tt.wantStep != "" {
						require.ErrorAs(t, err, &se)
						assert.Equal(t, tt.wantStep, se.Step)
					} else {
						assert.ErrorContains(t, err, "observe: key x listed twice")
					}
				}
				assert.Zero(t, e.Mutations(), "nothing of the pass was done")
			})
		})
	}
}
