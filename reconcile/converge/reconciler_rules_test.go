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

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// seeing is a step that plans c and records the keys of what it was shown, pass by pass.
type seeing struct {
	c    converge.Changes[stepRes]
	seen [][]string
}

func (s *seeing) Plan(_ context.Context, o []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
	var keys []string
	for _, r := range o {
		keys = append(keys, r.Resource.Name)
	}
	s.seen = append(s.seen, keys)
	return s.c, nil
}

func TestPlanStepsSeeOnlyWhatWasObservedNotWhatAnEarlierStepPlans(t *testing.T) {
	e := convergetest.NewEngine(resKey)
	e.Put(stepRes{Name: "x"}, convergetest.PhaseScript{})
	first := &seeing{c: converge.Changes[stepRes]{Destroy: []stepRes{{Name: "x"}}}}
	second := &seeing{}
	_, err := converge.New(e, e, resKey, []converge.Step[stepRes]{first, second}).Plan(t.Context())
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"x"}}, second.seen, "the second step still sees x, which the first plans to destroy")
}

func TestPlanListsEachStepsChangesInKeyOrderWhateverOrderTheStepGives(t *testing.T) {
	e := convergetest.NewEngine(resKey)
	for _, n := range []string{"d2", "d1"} {
		e.Put(stepRes{Name: n}, convergetest.PhaseScript{})
	}
	step := fixedStep("s", converge.Changes[stepRes]{
		Create:  []stepRes{{Name: "c"}, {Name: "a"}, {Name: "b"}},
		Destroy: []stepRes{{Name: "d2"}, {Name: "d1"}},
	})
	p, err := converge.New(e, e, resKey, []converge.Step[stepRes]{step}).Plan(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "s: create a, b, c; destroy d1, d2", p.String())
	assert.Equal(t, []string{"a", "b", "c"}, resNames(p.Create()))
}

func TestReconcileDestroysWhatFailedBeforeWaitingForWhatIsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(nil, 1, nil)
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{Fail: true})
		e.Put(stepRes{Name: "l0-01"}, convergetest.PhaseScript{PendingFor: time.Minute})
		err := r.Reconcile(t.Context())
		require.NoError(t, err)
		calls := e.Calls()
		require.GreaterOrEqual(t, len(calls), 2)
		assert.Equal(t, convergetest.OpDestroy, calls[1].Op, "right after the first observe")
		assert.Equal(t, "l0-00", calls[1].Key)
	})
}

func TestReconcileDestroysInParallel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(nil, 1, []convergetest.EngineOption{convergetest.WithEngineLatency(time.Second)},
			converge.WithParallelism(4))
		for _, n := range []string{"l0-00", "l0-01", "l0-02", "l0-03"} {
			e.Put(stepRes{Name: n}, convergetest.PhaseScript{})
		}
		start := time.Now()
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Empty(t, e.Keys())
		assert.Equal(t, 3*time.Second, time.Since(start), "observe, four destroys at once, observe: 1s each")
	})
}

func TestReconcileStepsDoNotSeeAResourceItDestroyedThatIsStillObserved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(resKey)
		e.Put(stepRes{Name: "x"}, convergetest.PhaseScript{DestroyTakes: 5 * time.Second})
		step := &seeing{}
		destroyX := converge.StepFunc[stepRes](func(ctx context.Context, o []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
			_, _ = step.Plan(ctx, o)
			var c converge.Changes[stepRes]
			for _, r := range o {
				c.Destroy = append(c.Destroy, r.Resource)
			}
			return c, nil
		})
		r := converge.New(e, e, resKey, []converge.Step[stepRes]{destroyX}, fastOpts()...)
		require.NoError(t, r.Reconcile(t.Context()))
		require.NotEmpty(t, step.seen)
		assert.Equal(t, []string{"x"}, step.seen[0], "seen before it was destroyed")
		for _, seen := range step.seen[1:] {
			assert.Empty(t, seen, "not seen while it lingers")
		}
		assert.Equal(t, 1, e.Count(convergetest.OpDestroy))
	})
}

func TestReconcileStopsAtOnceOnAPermanentErrorOfAnyCall(t *testing.T) {
	quota := errors.New("quota exceeded")
	tests := []struct {
		op   convergetest.EngineOp
		put  convergetest.PhaseScript // l0-00 exists in this phase before the call
		want string
	}{
		{convergetest.OpObserve, convergetest.PhaseScript{}, "observe"},
		{convergetest.OpDestroy, convergetest.PhaseScript{Fail: true}, "destroy l0-00"},
		{convergetest.OpRefresh, convergetest.PhaseScript{Stuck: true}, "refresh l0-00"},
		{convergetest.OpCreate, convergetest.PhaseScript{}, "create l0-01"},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e, r := newTree(resTree(1, 2), 1, nil)
				e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
					if c.Op == tt.op {
						return convergetest.EngineFault{Err: backoff.Permanent(quota)}
					}
					return convergetest.EngineFault{}
				})
				e.Put(stepRes{Name: "l0-00"}, tt.put)
				start := time.Now()
				err := r.Reconcile(t.Context())
				assert.ErrorIs(t, err, quota)
				assert.ErrorContains(t, err, tt.want)
				assert.NotErrorIs(t, err, converge.ErrBudgetExhausted)
				assert.LessOrEqual(t, time.Since(start), time.Second, "no retry, at most one wait")
			})
		})
	}
}

func TestReconcileReturnsAStepsErrorAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		e := convergetest.NewEngine(resKey)
		bad := converge.NamedStep("backends", converge.StepFunc[stepRes](
			func(context.Context, []converge.Observed[stepRes]) (converge.Changes[stepRes], error) {
				return converge.Changes[stepRes]{}, boom
			}))
		err := converge.New(e, e, resKey, []converge.Step[stepRes]{bad}).Reconcile(t.Context())
		var se *converge.StepError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "backends", se.Step)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, 1, e.Count(convergetest.OpObserve))
	})
}

func TestNewPanicsOnANilObserverEngineOrKey(t *testing.T) {
	e := convergetest.NewEngine(resKey)
	const msg = "converge: New with a nil observer, engine or key"
	assert.PanicsWithValue(t, msg, func() { converge.New[stepRes](nil, e, resKey, nil) })
	assert.PanicsWithValue(t, msg, func() { converge.New[stepRes](e, nil, resKey, nil) })
	assert.PanicsWithValue(t, msg, func() { converge.New[stepRes](e, e, nil, nil) })
}

func TestReconcileWaitsForAPhaseOutOfRangeAndNeverTakesItAsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(resKey)
		observer := converge.ObserverFunc[stepRes](func(context.Context) ([]converge.Observed[stepRes], error) {
			return []converge.Observed[stepRes]{{Resource: stepRes{Name: "odd"}, Phase: converge.Phase(-1)}}, nil
		})
		refresh := 0
		engine := converge.EngineFuncs[stepRes]{CreateFunc: e.Create, DestroyFunc: e.Destroy,
			RefreshFunc: func(context.Context, stepRes) (converge.Phase, error) {
				refresh++
				return converge.Phase(7 + refresh), nil
			}}
		err := converge.New(observer, engine, resKey, nil, fastOpts()...).Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrNotReady)
		assert.Equal(t, []string{"odd"}, stuck.Resources)
		assert.Greater(t, refresh, 1)
	})
}

func TestReconcileReturnsOnlyAfterEveryEngineCallInFlightReturned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(resKey)
		var finished atomic.Int32
		slowToStop := converge.EngineFuncs[stepRes]{
			CreateFunc: func(ctx context.Context, r stepRes) (stepRes, error) {
				<-ctx.Done()
				time.Sleep(time.Second) // cleaning up after the cancel
				finished.Add(1)
				return r, ctx.Err()
			},
			DestroyFunc: e.Destroy, RefreshFunc: e.Refresh,
		}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Minute, cancel)
		r := converge.New(e, slowToStop, resKey, levelSteps(resTree(1, 4), 1), fastOpts()...)
		err := r.Reconcile(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(4), finished.Load(), "every create had returned")
	})
}
