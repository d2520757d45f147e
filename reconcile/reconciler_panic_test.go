package reconcile_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
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

func (w *panicWorld) reconciler(e *reconciletest.Engine[stepRes]) *reconcile.Reconciler[stepRes] {
	desired := resTree(2, 3)
	counted := func(f func() error) error { w.inFlight.Add(1); defer w.inFlight.Add(-1); return f() }
	engine := reconcile.EngineFuncs[stepRes]{
		CreateFunc: func(ctx context.Context, r stepRes) (out stepRes, err error) {
			err = counted(func() error { out, err = e.Create(ctx, r); return err })
			w.created.Store(true)
			return out, err
		},
		DestroyFunc: func(ctx context.Context, r stepRes) error { return counted(func() error { return e.Destroy(ctx, r) }) },
		RefreshFunc: func(ctx context.Context, r stepRes) (p reconcile.Phase, err error) {
			err = counted(func() error { p, err = e.Refresh(ctx, r); return err })
			return p, err
		},
	}
	observer := reconcile.ObserverFunc[stepRes](func(ctx context.Context) ([]reconcile.Observed[stepRes], error) {
		if w.observes++; w.observes == 2 {
			w.boom("observer")
		}
		return e.Observe(ctx)
	})
	step := reconcile.StepFunc[stepRes](func(_ context.Context, o []reconcile.Observed[stepRes]) (reconcile.Changes[stepRes], error) {
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
	return reconcile.NewReconciler(observer, engine, key, []reconcile.Step[stepRes]{step, levelSteps(desired, 2)[1]},
		fastOpts(reconcile.WithReconcileParallelism(2),
			reconcile.OnPass(func(reconcile.PassInfo) {
				if w.passes++; w.passes == 2 {
					w.boom("OnPass")
				}
			}),
			reconcile.OnWait(func(reconcile.WaitInfo) { w.boom("OnWait") }))...)
}

func TestReconcilePanicOnTheCallersGoroutineReachesTheCallerWithNoEngineCallInFlight(t *testing.T) {
	for _, where := range []string{"observer", "step", "key", "OnPass", "OnWait"} {
		t.Run(where, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { // and synctest checks that no goroutine is left
				e := reconciletest.NewEngine(resKey, reconciletest.WithEngineLatency(time.Second),
					reconciletest.WithEngineScripts(func(string, int) reconciletest.PhaseScript {
						return reconciletest.PhaseScript{PendingRefreshes: 1}
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
		e := reconciletest.NewEngine(resKey)
		engine := reconcile.EngineFuncs[stepRes]{
			CreateFunc:  func(context.Context, stepRes) (stepRes, error) { panic("engine boom") },
			DestroyFunc: e.Destroy, RefreshFunc: e.Refresh,
		}
		r := reconcile.NewReconciler(e, engine, resKey, levelSteps(resTree(1, 1), 1))
		func() {
			defer func() { _ = recover() }() // the caller's recover does not see it
			_ = r.Reconcile(context.Background())
		}()
		return
	}
	out := crashed(t, "TestReconcileCrashesOnAPanickingEngineCall", "engine")
	assert.Contains(t, out, "panic: engine boom")
}
