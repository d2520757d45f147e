package converge_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

func TestReconcileCreatesEachLevelAfterItsParentsAndEachResourceOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		desired := resTree(3, 4)
		e, r := newTree(desired, 3, []convergetest.EngineOption{
			convergetest.WithEngineLatency(100 * time.Millisecond),
			convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
				return convergetest.PhaseScript{PendingRefreshes: 2}
			}),
		})
		require.NoError(t, r.Reconcile(t.Context()))

		assert.Equal(t, resNames(desired), e.Keys())
		created := map[string]time.Time{}
		for _, c := range e.Calls() {
			if c.Op == convergetest.OpCreate {
				created[c.Key] = c.Start
			}
		}
		for _, d := range desired {
			assert.Equal(t, 1, e.Creations(d.Name), "%s created once", d.Name)
			if d.Parent != "" {
				assert.True(t, created[d.Name].After(created[d.Parent]), "%s created after its parent", d.Name)
			}
		}
	})
}

func TestReconcileTwiceInARowMakesNoMutatingCallTheSecondTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(2, 3), 2, nil)
		require.NoError(t, r.Reconcile(t.Context()))
		calls := len(e.Calls())

		require.NoError(t, r.Reconcile(t.Context()))
		after := e.Calls()[calls:]
		require.Len(t, after, 1, "the second Reconcile observes once and does nothing else")
		assert.Equal(t, convergetest.OpObserve, after[0].Op)
	})
}

func TestReconcileDestroysOrphansBeforeCreating(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 2), 1, nil)
		e.Put(stepRes{Name: "l0-99"}, convergetest.PhaseScript{})
		require.NoError(t, r.Reconcile(t.Context()))

		var ops []string
		for _, c := range e.Calls() {
			if c.Op != convergetest.OpObserve && c.Op != convergetest.OpRefresh {
				ops = append(ops, string(c.Op)+" "+c.Key)
			}
		}
		assert.Equal(t, []string{"destroy l0-99", "create l0-00", "create l0-01"}, sortedAfterFirst(ops))
		assert.Equal(t, []string{"l0-00", "l0-01"}, e.Keys())
	})
}

// sortedAfterFirst sorts all but the first element, whose position is what a test checks.
func sortedAfterFirst(s []string) []string {
	if len(s) < 2 {
		return s
	}
	rest := append([]string(nil), s[1:]...)
	for i := range rest {
		for j := i + 1; j < len(rest); j++ {
			if rest[j] < rest[i] {
				rest[i], rest[j] = rest[j], rest[i]
			}
		}
	}
	return append(s[:1:1], rest...)
}

func TestReconcileReplacesAResourceObservedFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 1), 1, nil)
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{Fail: true})
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, 1, e.Count(convergetest.OpDestroy))
		assert.Equal(t, 1, e.Creations("l0-00"))
	})
}

func TestReconcileWaitsForPendingResourcesBeforeActing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(2, 1), 2, nil)
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{PendingFor: 5 * time.Second})
		start := time.Now()
		require.NoError(t, r.Reconcile(t.Context()))

		calls := e.Calls()
		var createAt time.Time
		for _, c := range calls {
			if c.Op == convergetest.OpCreate {
				createAt = c.Start
			}
		}
		assert.GreaterOrEqual(t, createAt.Sub(start), 5*time.Second, "the child is created once its parent is ready")
		assert.Equal(t, []string{"l0-00", "l1-00"}, e.Keys())
	})
}

func TestReconcileRetriesDestroysWhileARoundMakesProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		flaky := errors.New("flaky")
		e, r := newTree(nil, 1, nil)
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpDestroy && c.Key == "l0-01" && c.N == 0 {
				return convergetest.EngineFault{Err: flaky}
			}
			return convergetest.EngineFault{}
		})
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{})
		e.Put(stepRes{Name: "l0-01"}, convergetest.PhaseScript{})
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Empty(t, e.Keys())
		assert.Equal(t, 3, e.Count(convergetest.OpDestroy), "l0-01 is retried once after the round destroyed l0-00")
	})
}

func TestReconcileRetriesAFailedCreateInALaterPassWithoutCreatingTwice(t *testing.T) {
	tests := []struct {
		name    string
		applied bool // the create happened although the call failed (its reply was lost)
		creates int
	}{
		{"a create that failed is made again", false, 2},
		{"a create whose reply was lost is seen and not made again", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				lost := errors.New("connection reset")
				e, r := newTree(resTree(1, 1), 1, nil)
				e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
					if c.Op == convergetest.OpCreate && c.N == 0 {
						return convergetest.EngineFault{Err: lost, Applied: tt.applied}
					}
					return convergetest.EngineFault{}
				})
				require.NoError(t, r.Reconcile(t.Context()))
				assert.Equal(t, tt.creates, e.Count(convergetest.OpCreate))
				assert.Equal(t, 1, e.Creations("l0-00"))
			})
		})
	}
}

func TestReconcileRunsNoMoreEngineCallsAtOnceThanItsParallelism(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inFlight, peak atomic.Int32
		e := convergetest.NewEngine(resKey, convergetest.WithEngineLatency(time.Second))
		counting := converge.EngineFuncs[stepRes]{
			CreateFunc: func(ctx context.Context, r stepRes) (stepRes, error) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				return e.Create(ctx, r)
			},
			DestroyFunc: e.Destroy,
			RefreshFunc: e.Refresh,
		}
		desired := resTree(1, 20)
		r := converge.New(e, counting, resKey, levelSteps(desired, 1),
			fastOpts(converge.WithParallelism(3))...)
		start := time.Now()
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, int32(3), peak.Load())
		assert.Equal(t, resNames(desired), e.Keys())
		assert.GreaterOrEqual(t, time.Since(start), 7*time.Second, "20 creates of 1s, 3 at a time")
	})
}

func TestReconcileHooksCountEveryCallWaitAndPass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var creates, destroys, waits atomic.Int32
		var passes []converge.PassInfo
		e, r := newTree(resTree(2, 2), 2, []convergetest.EngineOption{convergetest.WithEngineScripts(
			func(string, int) convergetest.PhaseScript { return convergetest.PhaseScript{PendingRefreshes: 1} })},
			converge.WithHooks(converge.Hooks{OnCreate: func(string, error) { creates.Add(1) }}),
			converge.WithHooks(converge.Hooks{OnDestroy: func(string, error) { destroys.Add(1) }}),
			converge.WithHooks(converge.Hooks{OnWait: func(converge.WaitInfo) { waits.Add(1) }}),
			converge.WithHooks(converge.Hooks{OnPass: func(p converge.PassInfo) { passes = append(passes, p) }}))
		e.Put(stepRes{Name: "l1-99", Level: 1}, convergetest.PhaseScript{})
		require.NoError(t, r.Reconcile(t.Context()))

		assert.Equal(t, int32(4), creates.Load())
		assert.Equal(t, int32(1), destroys.Load())
		assert.Equal(t, int32(4), waits.Load(), "two waits per level: pending once, then ready")
		assert.Equal(t, []converge.PassInfo{
			{Pass: 1, Create: 2},
			{Pass: 2, Destroy: 1, Create: 2},
			{Pass: 3, Create: 2},
			{Pass: 4},
		}, passes)
	})
}

func TestReconcileReturnsTheCauseWhenTheCallerCancelsAndLeavesNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("shutting down")
		ctx, cancel := context.WithCancelCause(t.Context())
		e, r := newTree(resTree(1, 5), 1, []convergetest.EngineOption{convergetest.WithEngineLatency(time.Minute)})
		time.AfterFunc(10*time.Second, func() { cancel(stop) })
		err := r.Reconcile(ctx)
		assert.ErrorIs(t, err, stop)
		assert.ErrorIs(t, err, backoff.ErrExhausted)
		assert.Empty(t, e.Keys(), "the creates in flight were cancelled")
	})
}

func TestReconcileRejectsAnInvalidPolicyBeforeAnyCall(t *testing.T) {
	e, r := newTree(resTree(1, 1), 1, nil, converge.WithReadyPolicy(backoff.Policy{Multiplier: 0.5}))
	err := r.Reconcile(t.Context())
	assert.ErrorIs(t, err, backoff.ErrInvalidPolicy)
	assert.Empty(t, e.Calls())
}

func TestNewReconcilerStartsNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := convergetest.NewEngine(resKey)
	_ = converge.New(e, e, resKey, nil)
	assert.Empty(t, e.Calls())
}

func TestNewReconcilerPanicsOnANilEngine(t *testing.T) {
	e := convergetest.NewEngine(resKey)
	assert.PanicsWithValue(t, "converge: New with a nil observer, engine or key", func() {
		converge.New[stepRes](e, nil, resKey, nil)
	})
}

func TestReconcileCancelledWithCallsInFlightLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := convergetest.NewEngine(resKey)
	e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
		if c.Op == convergetest.OpCreate {
			return convergetest.EngineFault{Delay: time.Hour}
		}
		return convergetest.EngineFault{}
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelling := converge.EngineFuncs[stepRes]{
		CreateFunc: func(ctx context.Context, r stepRes) (stepRes, error) {
			cancel() // the first create in flight cancels the run: the others are cut short
			return e.Create(ctx, r)
		},
		DestroyFunc: e.Destroy,
		RefreshFunc: e.Refresh,
	}
	r := converge.New(e, cancelling, resKey, levelSteps(resTree(1, 8), 1), fastOpts()...)
	e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{})
	err := r.Reconcile(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"l0-00"}, e.Keys(), "no create in flight went through")
}

func TestReconcileTreatsNilHooksAsAbsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(2, 2), 2, []convergetest.EngineOption{convergetest.WithEngineScripts(
			func(string, int) convergetest.PhaseScript { return convergetest.PhaseScript{PendingRefreshes: 1} })},
			converge.WithHooks(converge.Hooks{OnCreate: nil}), converge.WithHooks(converge.Hooks{OnDestroy: nil}), converge.WithHooks(converge.Hooks{OnWait: nil}), converge.WithHooks(converge.Hooks{OnPass: nil}))
		e.Put(stepRes{Name: "l1-99", Level: 1}, convergetest.PhaseScript{}) // a destroy too
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, resNames(resTree(2, 2)), e.Keys())
	})
}
