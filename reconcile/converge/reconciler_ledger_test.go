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

// noDuplicateCreate fails the test if a create was made for a key that existed.
func noDuplicateCreate(t *testing.T, e *convergetest.Engine[stepRes]) {
	t.Helper()
	for _, c := range e.Calls() {
		assert.NotErrorIs(t, c.Err, convergetest.ErrResourceExists, "create of %s while it existed", c.Key)
	}
}

func TestReconcileCountsFailuresPerKeyAcrossPassesTowardsTheReplaceLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithReplaceLimit(3))
		// Every creation is ready when the wait refreshes it, and observed failed by the next pass.
		e.Script("l0-00", convergetest.PhaseScript{FailAfterReady: 1})
		err := r.Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrReplaceLimit)
		assert.Equal(t, []string{"l0-00"}, stuck.Resources)
		assert.Equal(t, 3, e.Creations("l0-00"), "created no more often than the limit")
		assert.Empty(t, e.Keys(), "the last failed resource was destroyed")
	})
}

func TestReconcileDoesNotCountAFailedResourceItDidNotCreate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithReplaceLimit(1))
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{Fail: true}) // failed before the call
		require.NoError(t, r.Reconcile(t.Context()), "a limit of 1 still allows replacing what was found failed")
		assert.Equal(t, 1, e.Creations("l0-00"))
	})
}

func TestReconcileWaitsForADestroyedResourceThatLingersAndDestroysItOnce(t *testing.T) {
	tests := []struct {
		name    string
		put     stepRes
		failed  bool
		desired []stepRes
	}{
		{"a failed resource, replaced", stepRes{Name: "l0-00"}, true, resTree(1, 1)},
		{"an orphan", stepRes{Name: "l0-99"}, false, resTree(1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var waits []converge.WaitInfo
				var lingering []int
				// Latency, so that a busy loop would show as many calls rather than hang.
				e, r := newTree(tt.desired, 1, []convergetest.EngineOption{convergetest.WithEngineLatency(10 * time.Millisecond)},
					converge.WithHooks(converge.Hooks{OnWait: func(w converge.WaitInfo) { waits = append(waits, w) }}),
					converge.WithHooks(converge.Hooks{OnPass: func(p converge.PassInfo) { lingering = append(lingering, p.Destroyed) }}))
				e.Put(tt.put, convergetest.PhaseScript{Fail: tt.failed, DestroyTakes: 10 * time.Second})
				start := time.Now()
				require.NoError(t, r.Reconcile(t.Context()))
				assert.Equal(t, 1, e.Count(convergetest.OpDestroy), "destroyed once, then waited for")
				assert.Equal(t, resNames(tt.desired), e.Keys())
				assert.Equal(t, 1, e.Creations("l0-00"))
				noDuplicateCreate(t, e)
				assert.GreaterOrEqual(t, time.Since(start), 10*time.Second)
				assert.Less(t, time.Since(start), 20*time.Second, "waited with the ready policy: 1s, 2s, 4s, 8s")
				require.NotEmpty(t, waits)
				assert.Equal(t, converge.WaitInfo{Attempt: 1, Pending: 1, Delay: time.Second}, waits[0])
				assert.Contains(t, lingering, 1, "a pass reports the destroyed resource still observed")
			})
		})
	}
}

func TestReconcileGivesUpOnADestroyedResourceThatNeverGoesWithTheReadyPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(nil, 1, []convergetest.EngineOption{convergetest.WithEngineLatency(10 * time.Millisecond)})
		e.Put(stepRes{Name: "l0-99"}, convergetest.PhaseScript{DestroyTakes: 1000 * time.Hour})
		start := time.Now()
		err := r.Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrNoProgress)
		assert.ErrorIs(t, err, backoff.ErrExhausted, "the wait's own ExhaustedError is kept")
		assert.ErrorIs(t, err, backoff.ErrDeadline)
		assert.NotErrorIs(t, err, converge.ErrBudgetExhausted)
		assert.Equal(t, []string{"l0-99"}, stuck.Resources)
		assert.Equal(t, 1, e.Count(convergetest.OpDestroy))
		assert.Less(t, time.Since(start), 2*time.Minute, "bounded by the ready policy's minute")
	})
}

func TestReconcileCountsFailedCreateCallsTowardsTheReplaceLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refused := errors.New("503")
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithReplaceLimit(3))
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpCreate {
				return convergetest.EngineFault{Err: refused}
			}
			return convergetest.EngineFault{}
		})
		err := r.Reconcile(t.Context())
		assert.ErrorIs(t, err, converge.ErrReplaceLimit)
		assert.ErrorIs(t, err, refused, "the last create error is kept")
		assert.Equal(t, 3, e.Count(convergetest.OpCreate))
	})
}

func TestReconcileDoesNotCountAThrottledCreateTowardsTheReplaceLimitAndWaitsItsHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		throttled := backoff.RetryAfter(2*time.Second, errors.New("429 too many requests"))
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithReplaceLimit(1))
		var at []time.Duration
		start := time.Now()
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpCreate {
				at = append(at, time.Since(start))
				if c.N < 3 {
					return convergetest.EngineFault{Err: throttled}
				}
			}
			return convergetest.EngineFault{}
		})
		require.NoError(t, r.Reconcile(t.Context()), "three 429s are no failures, even with a replace limit of 1")
		require.Len(t, at, 4)
		for i := 1; i < len(at); i++ {
			assert.GreaterOrEqual(t, at[i]-at[i-1], 2*time.Second, "create %d came before the hint", i)
		}
	})
}

func TestReconcileCountsAResourceFoundFailedByItsWaitEvenIfNeverObservedFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(resKey, convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
			return convergetest.PhaseScript{PendingRefreshes: 1, Fail: true}
		}))
		// A system that removes a failed resource by itself, as soon as a refresh sees it failed.
		engine := converge.EngineFuncs[stepRes]{CreateFunc: e.Create, DestroyFunc: e.Destroy,
			RefreshFunc: func(ctx context.Context, r stepRes) (converge.Phase, error) {
				p, err := e.Refresh(ctx, r)
				if p == converge.PhaseFailed {
					require.NoError(t, e.Destroy(ctx, r))
				}
				return p, err
			}}
		r := converge.New(e, engine, resKey, levelSteps(resTree(1, 1), 1),
			fastOpts(converge.WithReplaceLimit(2))...)
		err := r.Reconcile(t.Context())
		assert.ErrorIs(t, err, converge.ErrReplaceLimit)
		assert.Equal(t, 2, e.Creations("l0-00"))
	})
}
