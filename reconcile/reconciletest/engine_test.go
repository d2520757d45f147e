package reconciletest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

func id(s string) string { return s }

func TestScriptIsPendingForItsRefreshesThenSettles(t *testing.T) {
	tests := []struct {
		name   string
		script reconciletest.PhaseScript
		want   []reconcile.Phase
	}{
		{"zero script is ready at once", reconciletest.PhaseScript{},
			[]reconcile.Phase{reconcile.PhaseReady, reconcile.PhaseReady}},
		{"pending for two refreshes then ready", reconciletest.PhaseScript{PendingRefreshes: 2},
			[]reconcile.Phase{reconcile.PhasePending, reconcile.PhasePending, reconcile.PhaseReady}},
		{"pending for one refresh then failed", reconciletest.PhaseScript{PendingRefreshes: 1, Fail: true},
			[]reconcile.Phase{reconcile.PhasePending, reconcile.PhaseFailed}},
		{"stuck stays pending", reconciletest.PhaseScript{Stuck: true},
			[]reconcile.Phase{reconcile.PhasePending, reconcile.PhasePending, reconcile.PhasePending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := reconciletest.NewEngine(id)
			e.Script("a", tt.script)
			_, err := e.Create(t.Context(), "a")
			require.NoError(t, err)
			var got []reconcile.Phase
			for range tt.want {
				p, err := e.Refresh(t.Context(), "a")
				require.NoError(t, err)
				got = append(got, p)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestScriptPendingForIsMeasuredFromCreation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := reconciletest.NewEngine(id, reconciletest.WithEngineScripts(func(string, int) reconciletest.PhaseScript {
			return reconciletest.PhaseScript{PendingFor: time.Second}
		}))
		_, err := e.Create(t.Context(), "a")
		require.NoError(t, err)
		assert.Equal(t, reconcile.PhasePending, e.Existing()[0].Phase)
		time.Sleep(time.Second)
		assert.Equal(t, reconcile.PhaseReady, e.Existing()[0].Phase)
	})
}

func TestSuccessiveCreationsFollowSuccessiveScriptsTheLastRepeating(t *testing.T) {
	e := reconciletest.NewEngine(id)
	e.Script("a", reconciletest.PhaseScript{Fail: true}, reconciletest.PhaseScript{})
	var got []reconcile.Phase
	for range 3 {
		_, err := e.Create(t.Context(), "a")
		require.NoError(t, err)
		got = append(got, e.Existing()[0].Phase)
		require.NoError(t, e.Destroy(t.Context(), "a"))
	}
	assert.Equal(t, []reconcile.Phase{reconcile.PhaseFailed, reconcile.PhaseReady, reconcile.PhaseReady}, got)
	assert.Equal(t, 3, e.Creations("a"))
}

func TestFaultsFailCallsAndChangeNothingUnlessApplied(t *testing.T) {
	boom := errors.New("boom")
	e := reconciletest.NewEngine(id, reconciletest.WithEngineFaults(
		func(op reconciletest.EngineOp, key string, n int) reconciletest.EngineFault {
			if op == reconciletest.OpCreate && n == 0 {
				return reconciletest.EngineFault{Err: boom, Applied: key == "lost-reply"}
			}
			return reconciletest.EngineFault{}
		}))
	_, err := e.Create(t.Context(), "refused")
	assert.ErrorIs(t, err, boom)
	_, err = e.Create(t.Context(), "lost-reply")
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"lost-reply"}, e.Keys(), "only the applied fault changed the system")

	_, err = e.Create(t.Context(), "lost-reply")
	assert.ErrorIs(t, err, reconciletest.ErrResourceExists, "a second create of an existing key is caught")
	_, err = e.Refresh(t.Context(), "refused")
	assert.ErrorIs(t, err, reconciletest.ErrResourceNotFound)
	assert.NoError(t, e.Destroy(t.Context(), "never-there"), "destroying what is gone succeeds")
}

func TestEveryCallIsRecordedWithItsLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := reconciletest.NewEngine(id, reconciletest.WithEngineLatency(20*time.Millisecond),
			reconciletest.WithEngineFaults(func(op reconciletest.EngineOp, _ string, _ int) reconciletest.EngineFault {
				if op == reconciletest.OpDestroy {
					return reconciletest.EngineFault{Delay: 80 * time.Millisecond}
				}
				return reconciletest.EngineFault{}
			}))
		_, _ = e.Observe(t.Context())
		_, _ = e.Create(t.Context(), "a")
		_ = e.Destroy(t.Context(), "a")
		calls := e.Calls()
		require.Len(t, calls, 3)
		assert.Equal(t, []reconciletest.EngineOp{reconciletest.OpObserve, reconciletest.OpCreate, reconciletest.OpDestroy},
			[]reconciletest.EngineOp{calls[0].Op, calls[1].Op, calls[2].Op})
		assert.Equal(t, 20*time.Millisecond, calls[1].End.Sub(calls[1].Start))
		assert.Equal(t, 100*time.Millisecond, calls[2].End.Sub(calls[2].Start))
		assert.Equal(t, 2, e.Mutations())
	})
}

func TestACallCancelledDuringItsLatencyChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := reconciletest.NewEngine(id, reconciletest.WithEngineLatency(time.Minute))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := e.Create(ctx, "a")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Empty(t, e.Keys())
	})
}

func TestPutSeedsResourcesWithoutRecordingACall(t *testing.T) {
	e := reconciletest.NewEngine(id)
	e.Put("b", reconciletest.PhaseScript{Fail: true})
	e.Put("a", reconciletest.PhaseScript{})
	observed, err := e.Observe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []reconcile.Observed[string]{
		{Resource: "a", Phase: reconcile.PhaseReady}, {Resource: "b", Phase: reconcile.PhaseFailed},
	}, observed)
	assert.Equal(t, 1, len(e.Calls()), "only the observe is recorded")
	assert.Zero(t, e.Creations("a"))
}

func TestScriptFailAfterReadyBreaksAResourceAfterItsReadyRefreshes(t *testing.T) {
	e := reconciletest.NewEngine(id)
	e.Script("a", reconciletest.PhaseScript{PendingRefreshes: 1, FailAfterReady: 2})
	_, err := e.Create(t.Context(), "a")
	require.NoError(t, err)
	var got []reconcile.Phase
	for range 4 {
		p, err := e.Refresh(t.Context(), "a")
		require.NoError(t, err)
		got = append(got, p)
	}
	assert.Equal(t, []reconcile.Phase{reconcile.PhasePending, reconcile.PhaseReady, reconcile.PhaseReady, reconcile.PhaseFailed}, got)
	assert.Equal(t, reconcile.PhaseFailed, e.Existing()[0].Phase, "observed failed too")
}

func TestScriptDestroyTakesKeepsADestroyedResourceObservedForAWhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := reconciletest.NewEngine(id)
		e.Put("a", reconciletest.PhaseScript{DestroyTakes: 10 * time.Second})
		require.NoError(t, e.Destroy(t.Context(), "a"))
		assert.Equal(t, []string{"a"}, e.Keys(), "still there just after the destroy")
		time.Sleep(5 * time.Second)
		require.NoError(t, e.Destroy(t.Context(), "a"), "a second destroy does not restart the clock")
		_, err := e.Create(t.Context(), "a")
		assert.ErrorIs(t, err, reconciletest.ErrResourceExists)
		time.Sleep(5 * time.Second)
		assert.Empty(t, e.Keys())
		assert.Empty(t, e.Existing())
		_, err = e.Create(t.Context(), "a")
		assert.NoError(t, err, "gone: its key can be created again")
	})
}
