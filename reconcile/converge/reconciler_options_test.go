package converge_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

func TestReconcileParallelismBelowOneMeansOne(t *testing.T) {
	for _, n := range []int{0, -3} {
		synctest.Test(t, func(t *testing.T) {
			e, r := newTree(resTree(1, 3), 1, []convergetest.EngineOption{convergetest.WithEngineLatency(time.Second)},
				converge.WithParallelism(n))
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
	failingObserve := func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
		if c.Op == convergetest.OpObserve {
			return convergetest.EngineFault{Err: down}
		}
		return convergetest.EngineFault{}
	}
	for _, d := range []time.Duration{0, -time.Second} {
		synctest.Test(t, func(t *testing.T) {
			e, r := newTree(resTree(1, 1), 1, nil, converge.WithBudget(d))
			e.InjectFaults(failingObserve)
			start := time.Now()
			err := r.Reconcile(t.Context())
			assert.ErrorIs(t, err, converge.ErrBudgetExhausted)
			assert.Equal(t, converge.DefaultBudget, time.Since(start))
		})
	}
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithBudget(backoff.Forever))
		e.InjectFaults(failingObserve)
		stop := errors.New("stop")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(time.Hour, func() { cancel(stop) })
		err := r.Reconcile(ctx)
		assert.ErrorIs(t, err, stop, "no budget: only the caller's context ends it")
		assert.NotErrorIs(t, err, converge.ErrBudgetExhausted)
		assert.ErrorIs(t, err, down, "the last error is kept")
	})
}

func TestReconcileReplaceLimitBelowOneMeansOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 2), 1, nil, converge.WithReplaceLimit(0))
		e.Script("l0-01", failingScripts(1)...)
		err := r.Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrReplaceLimit)
		assert.Equal(t, []string{"l0-01"}, stuck.Resources)
		assert.Equal(t, 1, e.Creations("l0-00"), "a resource that does not fail is created")
		assert.Equal(t, 1, e.Creations("l0-01"), "one failure allowed, not none and not more")
	})
}

func TestReconcileRejectsAnInvalidRetryPolicyBeforeAnyCall(t *testing.T) {
	e, r := newTree(resTree(1, 1), 1, nil, converge.WithRetryPolicy(backoff.Policy{Initial: -time.Second}))
	assert.ErrorIs(t, r.Reconcile(t.Context()), backoff.ErrInvalidPolicy)
	assert.Empty(t, e.Calls())
}
