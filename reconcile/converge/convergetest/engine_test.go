package convergetest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func id(s string) string { return s }

func TestScriptIsPendingForItsRefreshesThenSettles(t *testing.T) {
	tests := []struct {
		name   string
		script convergetest.PhaseScript
		want   []converge.Phase
	}{
		{"zero script is ready at once", convergetest.PhaseScript{},
			[]converge.Phase{converge.PhaseReady, converge.PhaseReady}},
		{"pending for two refreshes then ready", convergetest.PhaseScript{PendingRefreshes: 2},
			[]converge.Phase{converge.PhasePending, converge.PhasePending, converge.PhaseReady}},
		{"pending for one refresh then failed", convergetest.PhaseScript{PendingRefreshes: 1, Fail: true},
			[]converge.Phase{converge.PhasePending, converge.PhaseFailed}},
		{"stuck stays pending", convergetest.PhaseScript{Stuck: true},
			[]converge.Phase{converge.PhasePending, converge.PhasePending, converge.PhasePending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := convergetest.NewEngine(id)
			e.Script("a", tt.script)
			_, err := e.Create(t.Context(), "a")
			require.NoError(t, err)
			var got []converge.Phase
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
		e := convergetest.NewEngine(id, convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
			return convergetest.PhaseScript{PendingFor: time.Second}
		}))
		_, err := e.Create(t.Context(), "a")
		require.NoError(t, err)
		assert.Equal(t, converge.PhasePending, e.Existing()[0].Phase)
		time.Sleep(time.Second)
		assert.Equal(t, converge.PhaseReady, e.Existing()[0].Phase)
	})
}

func TestSuccessiveCreationsFollowSuccessiveScriptsTheLastRepeating(t *testing.T) {
	e := convergetest.NewEngine(id)
	e.Script("a", convergetest.PhaseScript{Fail: true}, convergetest.PhaseScript{})
	var got []converge.Phase
	for range 3 {
		_, err := e.Create(t.Context(), "a")
		require.NoError(t, err)
		got = append(got, e.Existing()[0].Phase)
		require.NoError(t, e.Destroy(t.Context(), "a"))
	}
	assert.Equal(t, []converge.Phase{converge.PhaseFailed, converge.PhaseReady, converge.PhaseReady}, got)
	assert.Equal(t, 3, e.Creations("a"))
}

func TestFaultsFailCallsAndChangeNothingUnlessApplied(t *testing.T) {
	boom := errors.New("boom")
	e := convergetest.NewEngine(id)
	e.InjectFaults(func(c convergetest.FaultCall[string]) convergetest.EngineFault {
		if c.Op == convergetest.OpCreate && c.N == 0 {
			return convergetest.EngineFault{Err: boom, Applied: c.Key == "lost-reply"}
		}
		return convergetest.EngineFault{}
	})
	_, err := e.Create(t.Context(), "refused")
	assert.ErrorIs(t, err, boom)
	_, err = e.Create(t.Context(), "lost-reply")
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"lost-reply"}, e.Keys(), "only the applied fault changed the system")

	_, err = e.Create(t.Context(), "lost-reply")
	assert.ErrorIs(t, err, convergetest.ErrResourceExists, "a second create of an existing key is caught")
	_, err = e.Refresh(t.Context(), "refused")
	assert.ErrorIs(t, err, convergetest.ErrResourceNotFound)
	assert.NoError(t, e.Destroy(t.Context(), "never-there"), "destroying what is gone succeeds")
}

func TestEveryCallIsRecordedWithItsLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(id, convergetest.WithEngineLatency(20*time.Millisecond))
		e.InjectFaults(func(c convergetest.FaultCall[string]) convergetest.EngineFault {
			if c.Op == convergetest.OpDestroy {
				return convergetest.EngineFault{Delay: 80 * time.Millisecond}
			}
			return convergetest.EngineFault{}
		})
		_, _ = e.Observe(t.Context())
		_, _ = e.Create(t.Context(), "a")
		_ = e.Destroy(t.Context(), "a")
		calls := e.Calls()
		require.Len(t, calls, 3)
		assert.Equal(t, []convergetest.EngineOp{convergetest.OpObserve, convergetest.OpCreate, convergetest.OpDestroy},
			[]convergetest.EngineOp{calls[0].Op, calls[1].Op, calls[2].Op})
		assert.Equal(t, 20*time.Millisecond, calls[1].End.Sub(calls[1].Start))
		assert.Equal(t, 100*time.Millisecond, calls[2].End.Sub(calls[2].Start))
		assert.Equal(t, 2, e.Mutations())
	})
}

func TestACallCancelledDuringItsLatencyChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(id, convergetest.WithEngineLatency(time.Minute))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := e.Create(ctx, "a")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Empty(t, e.Keys())
	})
}

func TestPutSeedsResourcesWithoutRecordingACall(t *testing.T) {
	e := convergetest.NewEngine(id)
	e.Put("b", convergetest.PhaseScript{Fail: true})
	e.Put("a", convergetest.PhaseScript{})
	observed, err := e.Observe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []converge.Observed[string]{
		{Resource: "a", Phase: converge.PhaseReady}, {Resource: "b", Phase: converge.PhaseFailed},
	}, observed)
	assert.Equal(t, 1, len(e.Calls()), "only the observe is recorded")
	assert.Zero(t, e.Creations("a"))
}

func TestScriptFailAfterReadyBreaksAResourceAfterItsReadyRefreshes(t *testing.T) {
	e := convergetest.NewEngine(id)
	e.Script("a", convergetest.PhaseScript{PendingRefreshes: 1, FailAfterReady: 2})
	_, err := e.Create(t.Context(), "a")
	require.NoError(t, err)
	var got []converge.Phase
	for range 4 {
		p, err := e.Refresh(t.Context(), "a")
		require.NoError(t, err)
		got = append(got, p)
	}
	assert.Equal(t, []converge.Phase{converge.PhasePending, converge.PhaseReady, converge.PhaseReady, converge.PhaseFailed}, got)
	assert.Equal(t, converge.PhaseFailed, e.Existing()[0].Phase, "observed failed too")
}

func TestScriptDestroyTakesKeepsADestroyedResourceObservedForAWhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := convergetest.NewEngine(id)
		e.Put("a", convergetest.PhaseScript{DestroyTakes: 10 * time.Second})
		require.NoError(t, e.Destroy(t.Context(), "a"))
		assert.Equal(t, []string{"a"}, e.Keys(), "still there just after the destroy")
		time.Sleep(5 * time.Second)
		require.NoError(t, e.Destroy(t.Context(), "a"), "a second destroy does not restart the clock")
		_, err := e.Create(t.Context(), "a")
		assert.ErrorIs(t, err, convergetest.ErrResourceExists)
		time.Sleep(5 * time.Second)
		assert.Empty(t, e.Keys())
		assert.Empty(t, e.Existing())
		_, err = e.Create(t.Context(), "a")
		assert.NoError(t, err, "gone: its key can be created again")
	})
}
