package converge_test

import (
	"context"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// panicWorld is a two-level tree whose reconciliation panics in one of the places that run on
// the caller's goroutine, once the first level has been created; it counts engine calls in
// flight.
type panicWorld struct {
	inFlight  atomic.Int32
	created   atomic.Bool
	atPanic   int32 // engine calls in flight when the panic came
	observes  int
	plans     int
	passes    int
	panicking string
}

func (w *panicWorld) boom(where string) {
	if w.panicking == where {
		w.atPanic = w.inFlight.Load()
		panic("boom in " + where)
	}
}

func (w *panicWorld) reconciler(e *convergetest.Engine[stepRes]) *converge.Reconciler[stepRes] {
	desired := resTree(2, 3)
	counted := func(f func() error) error { w.inFlight.Add(1); defer w.inFlight.Add(-1); return f() }
	engine := converge.EngineFuncs[stepRes]{
		CreateFunc: func(ctx context.Context, r stepRes) (out stepRes, err error) {
			err = counted(func() error { out, err = e.Create(ctx, r); return err })
			w.created.Store(true)
			return out, err
		},
		DestroyFunc: func(ctx context.Context, r stepRes) error { return counted(func() error { return e.Destroy(ctx, r) }) },
		RefreshFunc: func(ctx context.Context, r stepRes) (p converge.Phase, err error) {
			err = counted(func() error { p, err = e.Refresh(ctx, r); return err })
			return p, err
		},
	}
	observer := converge.ObserverFunc[stepRes](func(ctx context.Context) ([]converge.Observed[stepRes], error) {
		if w.observes++; w.observes == 2 {
			w.boom("observer")
		}
		return e.Observe(ctx)
	})
	step := converge.StepFunc[stepRes](func(_ context.Context, o []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
		if w.plans++; w.plans == 3 {
			w.boom("step")
		}
		return levelChanges(desired, 0, o), nil
	})
	key := func(r stepRes) string {
		if w.created.Load() {
			w.boom("key")
		}
		return r.Name
	}
	return converge.New(observer, engine, key, []converge.Step[stepRes]{step, levelSteps(desired, 2)[1]},
		fastOpts(converge.WithParallelism(2),
			converge.WithHooks(converge.Hooks{OnPass: func(converge.PassInfo) {
				if w.passes++; w.passes == 2 {
					w.boom("OnPass")
				}
			}}),

			converge.WithHooks(converge.Hooks{OnWait: func(converge.WaitInfo) { w.boom("OnWait") }}))...)
}

func TestReconcilePanicOnTheCallersGoroutineReachesTheCallerWithNoEngineCallInFlight(t *testing.T) {
	for _, where := range []string{"observer", "step", "key", "OnPass", "OnWait"} {
		t.Run(where, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { // and synctest checks that no goroutine is left
				e := convergetest.NewEngine(resKey, convergetest.WithEngineLatency(time.Second),
					convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
						return convergetest.PhaseScript{PendingRefreshes: 1}
					}))
				w := &panicWorld{panicking: where}
				r := w.reconciler(e)
				assert.PanicsWithValue(t, "boom in "+where, func() { _ = r.Reconcile(t.Context()) })
				assert.Zero(t, w.atPanic, "no engine call was in flight when the panic came")
				synctest.Wait()
				assert.Zero(t, w.inFlight.Load())
			})
		})
	}
}

func TestReconcileCrashesOnAPanickingEngineCall(t *testing.T) {
	if os.Getenv(crashEnv) == "engine" {
		e := convergetest.NewEngine(resKey)
		engine := converge.EngineFuncs[stepRes]{
			CreateFunc:  func(context.Context, stepRes) (stepRes, error) { panic("engine boom") },
			DestroyFunc: e.Destroy, RefreshFunc: e.Refresh,
		}
		r := converge.New(e, engine, resKey, levelSteps(resTree(1, 1), 1))
		func() {
			defer func() { _ = recover() }() // the caller's recover does not see it
			_ = r.Reconcile(context.Background())
		}()
		return
	}
	out := crashed(t, "TestReconcileCrashesOnAPanickingEngineCall", "engine")
	assert.Contains(t, out, "panic: engine boom")
}

// crashEnv names the scenario a test binary started by crashed runs, and crashed runs it.
const crashEnv = "CONVERGE_TEST_CRASH"

// crashed runs the test named test in a new process of the test binary, with crashEnv set to
// scenario, and returns its output; it fails t unless the process crashed.
func crashed(t *testing.T, test, scenario string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the program crashed:\n%s", out)
	return string(out)
}
