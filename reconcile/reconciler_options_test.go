package reconcile_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

func TestReconcileParallelismBelowOneMeansOne(t *testing.T) {
	for _, n := range []int{0, -3} {
		synctest.Test(t, func(t *testing.T) {
			e, r := newTree(resTree(1, 3), 1, []reconciletest.EngineOption{reconciletest.WithEngineLatency(time.Second)},
				reconcile.WithReconcileParallelism(n))
			start := time.Now()
			require.NoError(t, r.Reconcile(t.Context()))
			assert.Equal(t, resNames(resTree(1, 3)), e.Keys())
			// observe, three creates one at a time, a 1s wait, three refreshes one at a time, observe
			assert.Equal(t, 9*time.Second, time.Since(start))
		})
	}
}

func TestReconcileBudgetOfZeroOrLessIsTheDefaultAndForeverIsNone(t *testing.T) {
	down := errors.New("api down")
	failingObserve := []reconciletest.EngineOption{reconciletest.WithEngineFaults(
		func(op reconciletest.EngineOp, _ string, _ int) reconciletest.EngineFault {
			if op == reconciletest.OpObserve {
				return reconciletest.EngineFault{Err: down}
			}
			return reconciletest.EngineFault{}
		})}
	for _, d := range []time.Duration{0, -time.Second} {
		synctest.Test(t, func(t *testing.T) {
			_, r := newTree(resTree(1, 1), 1, failingObserve, reconcile.WithReconcileBudget(d))
			start := time.Now()
			err := r.Reconcile(t.Context())
			assert.ErrorIs(t, err, reconcile.ErrBudgetExhausted)
			assert.Equal(t, reconcile.DefaultReconcileBudget, time.Since(start))
		})
	}
	synctest.Test(t, func(t *testing.T) {
		_, r := newTree(resTree(1, 1), 1, failingObserve, reconcile.WithReconcileBudget(backoff.Forever))
		stop := errors.New("stop")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(time.Hour, func() { cancel(stop) })
		err := r.Reconcile(ctx)
		assert.ErrorIs(t, err, stop, "no budget: only the caller's context ends it")
		assert.NotErrorIs(t, err, reconcile.ErrBudgetExhausted)
		assert.ErrorIs(t, err, down, "the last error is kept")
	})
}

func TestReconcileReplaceLimitBelowOneMeansOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 2), 1, nil, reconcile.WithReplaceLimit(0))
		e.Script("l0-01", failingScripts(1)...)
		err := r.Reconcile(t.Context())
		var stuck *reconcile.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, reconcile.ErrReplaceLimit)
		assert.Equal(t, []string{"l0-01"}, stuck.Resources)
		assert.Equal(t, 1, e.Creations("l0-00"), "a resource that does not fail is created")
		assert.Equal(t, 1, e.Creations("l0-01"), "one failure allowed, not none and not more")
	})
}

func TestReconcileRejectsAnInvalidRetryPolicyBeforeAnyCall(t *testing.T) {
	e, r := newTree(resTree(1, 1), 1, nil, reconcile.WithReconcileRetryPolicy(backoff.Policy{Initial: -time.Second}))
	assert.ErrorIs(t, r.Reconcile(t.Context()), backoff.ErrInvalidPolicy)
	assert.Empty(t, e.Calls())
}
