package converge_test

import (
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

func TestReconcileNamesWhatItCouldNotDestroyWhenARoundMakesNoProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locked := errors.New("locked")
		e, r := newTree(nil, 1, nil)
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpDestroy && c.Key != "l0-00" {
				return convergetest.EngineFault{Err: locked}
			}
			return convergetest.EngineFault{}
		})
		for _, n := range []string{"l0-00", "l0-02", "l0-01"} {
			e.Put(stepRes{Name: n}, convergetest.PhaseScript{})
		}
		err := r.Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrNoProgress)
		assert.ErrorIs(t, err, locked, "the last destroy errors are kept")
		assert.Equal(t, []string{"l0-01", "l0-02"}, stuck.Resources)
		assert.Equal(t, []string{"l0-01", "l0-02"}, e.Keys())
	})
}

func TestReconcileReplacesACreatedResourceThatEndsFailedUpToTheLimit(t *testing.T) {
	tests := []struct {
		name     string
		failures int // how many creations of l0-00 end failed
		wantErr  error
	}{
		{"two failures then ready converges", 2, nil},
		{"three failures reach the limit", 3, converge.ErrReplaceLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e, r := newTree(resTree(1, 1), 1, nil, converge.WithReplaceLimit(3))
				e.Script("l0-00", failingScripts(tt.failures)...)
				err := r.Reconcile(t.Context())
				if tt.wantErr == nil {
					require.NoError(t, err)
					assert.Equal(t, []string{"l0-00"}, e.Keys())
					assert.Equal(t, tt.failures+1, e.Creations("l0-00"))
					return
				}
				var stuck *converge.StuckError
				require.ErrorAs(t, err, &stuck)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, []string{"l0-00"}, stuck.Resources)
				assert.Empty(t, e.Keys(), "the failed resource was destroyed: nothing is left behind")
				assert.Equal(t, 3, e.Creations("l0-00"))
			})
		})
	}
}

// failingScripts returns failures failing scripts followed by a ready one.
func failingScripts(failures int) []convergetest.PhaseScript {
	s := make([]convergetest.PhaseScript, failures+1)
	for i := range failures {
		s[i] = convergetest.PhaseScript{PendingRefreshes: 1, Fail: true}
	}
	return s
}

func TestReconcileNamesResourcesStillPendingWhenTheReadyPolicyGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 2), 1, nil)
		e.Script("l0-01", convergetest.PhaseScript{Stuck: true})
		err := r.Reconcile(t.Context())
		var stuck *converge.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.ErrorIs(t, err, converge.ErrNotReady)
		assert.ErrorIs(t, err, backoff.ErrExhausted, "the wait's own ExhaustedError is kept")
		assert.ErrorIs(t, err, backoff.ErrDeadline)
		assert.Equal(t, []string{"l0-01"}, stuck.Resources)
	})
}

func TestReconcileStopsWhenTheBudgetRunsOutAndKeepsTheLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		down := errors.New("api down")
		e, r := newTree(resTree(1, 1), 1, nil, converge.WithBudget(30*time.Second))
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpObserve {
				return convergetest.EngineFault{Err: down}
			}
			return convergetest.EngineFault{}
		})
		start := time.Now()
		err := r.Reconcile(t.Context())
		assert.Equal(t, 30*time.Second, time.Since(start))
		assert.ErrorIs(t, err, converge.ErrBudgetExhausted)
		assert.ErrorIs(t, err, backoff.ErrExhausted)
		assert.ErrorIs(t, err, down)
		assert.Zero(t, e.Mutations())
	})
}

func TestReconcileStopsAtOnceOnAPermanentError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quota := errors.New("quota exceeded")
		e, r := newTree(resTree(1, 3), 1, nil)
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpCreate && c.Key == "l0-01" {
				return convergetest.EngineFault{Err: backoff.Permanent(quota)}
			}
			return convergetest.EngineFault{}
		})
		err := r.Reconcile(t.Context())
		assert.ErrorIs(t, err, quota)
		assert.ErrorContains(t, err, "create l0-01")
		assert.Equal(t, 1, e.Count(convergetest.OpObserve), "no second pass")
	})
}

func TestReconcileHonoursARetryAfterHintBetweenDestroyRounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		throttled := backoff.RetryAfter(20*time.Second, errors.New("429 too many requests"))
		e, r := newTree(nil, 1, nil)
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpDestroy && c.Key == "l0-01" && c.N == 0 {
				return convergetest.EngineFault{Err: throttled}
			}
			return convergetest.EngineFault{}
		})
		e.Put(stepRes{Name: "l0-00"}, convergetest.PhaseScript{})
		e.Put(stepRes{Name: "l0-01"}, convergetest.PhaseScript{})
		start := time.Now()
		require.NoError(t, r.Reconcile(t.Context()))

		var retried time.Time
		for _, c := range e.Calls() {
			if c.Op == convergetest.OpDestroy && c.Key == "l0-01" {
				retried = c.Start
			}
		}
		assert.Equal(t, 20*time.Second, retried.Sub(start), "the hint replaces the 1s retry delay")
	})
}

func TestReconcileRetriesAFailedObserveAfterADelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r := newTree(resTree(1, 1), 1, nil)
		e.InjectFaults(func(c convergetest.FaultCall[stepRes]) convergetest.EngineFault {
			if c.Op == convergetest.OpObserve && c.N < 2 {
				return convergetest.EngineFault{Err: errors.New("connection refused")}
			}
			return convergetest.EngineFault{}
		})
		start := time.Now()
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, []string{"l0-00"}, e.Keys())
		calls := e.Calls()
		assert.Equal(t, 3*time.Second, calls[2].Start.Sub(start), "retried after 1s, then 2s")
	})
}
