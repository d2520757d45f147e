package converge_test

import (
	"context"
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
	return converge.NamedStep(name, converge.StepFunc[stepRes](
		func(context.Context, []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
			return c, nil
		}))
}

func TestReconcileRefusesAPassThatNamesAKeyTwiceAndDoesNothingOfIt(t *testing.T) {
	a, x := stepRes{Name: "a"}, stepRes{Name: "x"}
	tests := []struct {
		name     string
		steps    []converge.Step[stepRes]
		twice    bool   // the observer lists x twice
		failedX  bool   // x exists in PhaseFailed
		wantStep string // the step the error names; "" for the observer
	}{
		{"a step creates a key twice", []converge.Step[stepRes]{
			fixedStep("s", converge.Changes[stepRes]{Create: []stepRes{a, a}})}, false, false, "s"},
		{"a step destroys a key twice", []converge.Step[stepRes]{
			fixedStep("s", converge.Changes[stepRes]{Destroy: []stepRes{x, x}})}, false, false, "s"},
		{"two steps destroy one key", []converge.Step[stepRes]{
			fixedStep("s1", converge.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", converge.Changes[stepRes]{Destroy: []stepRes{x}})}, false, false, "s2"},
		{"a step destroys and creates one key", []converge.Step[stepRes]{
			fixedStep("s", converge.Changes[stepRes]{Destroy: []stepRes{x}, Create: []stepRes{x}})}, false, false, "s"},
		{"a later step creates what an earlier one destroys", []converge.Step[stepRes]{
			fixedStep("s1", converge.Changes[stepRes]{Destroy: []stepRes{x}}),
			fixedStep("s2", converge.Changes[stepRes]{Create: []stepRes{x}})}, false, false, "s2"},
		{"the observer lists a failed key twice", nil, true, true, ""},
		{"the observer lists a key twice", nil, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// Latency, so that a pass repeated without end also spends its budget.
				e := convergetest.NewEngine(resKey, convergetest.WithEngineLatency(time.Millisecond))
				e.Put(x, convergetest.PhaseScript{Fail: tt.failedX})
				var obs converge.Observer[stepRes] = e
				if tt.twice {
					obs = converge.ObserverFunc[stepRes](func(ctx context.Context) ([]converge.Observed[stepRes], error) {
						o, err := e.Observe(ctx)
						return append(o, o...), err
					})
				}
				r := converge.New(obs, e, resKey, tt.steps, fastOpts()...)
				_, planErr := r.Plan(t.Context())
				err := r.Reconcile(t.Context())
				for _, err := range []error{planErr, err} {
					require.ErrorIs(t, err, converge.ErrDuplicateKey)
					var se *converge.StepError
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
