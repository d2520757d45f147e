package converge_test

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

var errInjected = errors.New("injected fault")

// chaos is one seed's fault schedule. Every draw hashes the seed with what it is for, so the
// schedule does not depend on the order in which parallel calls happen to run.
type chaos struct{ seed uint64 }

func (c chaos) rand(what string, n int) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", what, n)
	return rand.New(rand.NewPCG(c.seed, h.Sum64()))
}

// fault: random latency on every call; 10% of creates and destroys fail (half of the failed
// creates happen anyway, their reply lost); 5% of observes and refreshes fail.
func (c chaos) fault(call convergetest.FaultCall[stepRes]) convergetest.EngineFault {
	op, key, n := call.Op, call.Key, call.N
	rng := c.rand(string(op)+key, n)
	f := convergetest.EngineFault{Delay: time.Duration(rng.IntN(500)) * time.Millisecond}
	rate := 0.05
	if op == convergetest.OpCreate || op == convergetest.OpDestroy {
		rate = 0.10
	}
	if rng.Float64() < rate {
		f.Err = errInjected
		f.Applied = op == convergetest.OpCreate && rng.IntN(2) == 0
	}
	return f
}

// script: pending for up to 3 refreshes and up to 3s; 10% end failed, 2% stay pending forever.
func (c chaos) script(key string, n int) convergetest.PhaseScript {
	rng := c.rand("script"+key, n)
	s := convergetest.PhaseScript{PendingRefreshes: rng.IntN(4), PendingFor: time.Duration(rng.IntN(3000)) * time.Millisecond}
	switch x := rng.Float64(); {
	case x < 0.02:
		s.Stuck = true
	case x < 0.12:
		s.Fail = true
	}
	return s
}

// seedWorld puts what exists before the run: some desired resources, some orphans, in any phase.
func (c chaos) seedWorld(e *convergetest.Engine[stepRes], desired []stepRes, levels int) {
	rng := c.rand("world", 0)
	phases := []convergetest.PhaseScript{{}, {Fail: true}, {PendingRefreshes: 2}}
	for _, d := range desired {
		if rng.IntN(4) == 0 && (d.Parent == "" || len(e.Keys()) > 0) {
			e.Put(d, phases[rng.IntN(len(phases))])
		}
	}
	for i := range rng.IntN(4) {
		e.Put(stepRes{Name: fmt.Sprintf("orphan-%d", i), Level: rng.IntN(levels)}, phases[rng.IntN(len(phases))])
	}
}

// TestReconcileConvergesOrSaysWhyUnderRandomFaults is the property test: for 200 seeds of
// fault schedules, Reconcile either converges to exactly the desired set, every resource
// ready, nothing else left, no key ever created twice at once; or it returns one of the
// documented errors. After converging, a second Reconcile makes no mutating call.
func TestReconcileConvergesOrSaysWhyUnderRandomFaults(t *testing.T) {
	outcomes := map[string]int{}
	for seed := range uint64(200) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				outcomes[runChaos(t, chaos{seed})]++
			})
		})
	}
	t.Logf("outcomes over 200 seeds: %v", outcomes)
	assert.Greater(t, outcomes["converged"], 100, "most seeds converge: the faults are recoverable")
}

func runChaos(t *testing.T, c chaos) string {
	levels := 3
	desired := resTree(levels, 2+int(c.seed%5))
	e, r := newTree(desired, levels, []convergetest.EngineOption{
		convergetest.WithEngineScripts(c.script),
	}, converge.WithParallelism(4), converge.WithReplaceLimit(3))
	e.InjectFaults(c.fault)
	c.seedWorld(e, desired, levels)

	err := r.Reconcile(t.Context())
	for _, call := range e.Calls() {
		require.NotErrorIs(t, call.Err, convergetest.ErrResourceExists, "create of %s while it existed", call.Key)
	}
	if err != nil {
		return documented(t, e, err)
	}
	assert.Equal(t, resNames(desired), e.Keys(), "exactly the desired set, no orphan")
	for _, o := range e.Existing() {
		assert.Equal(t, converge.PhaseReady, o.Phase, "%s is ready", o.Resource.Name)
	}
	mutations := e.Mutations()
	require.NoError(t, r.Reconcile(t.Context()), "a converged system stays converged")
	assert.Equal(t, mutations, e.Mutations(), "the second Reconcile makes no mutating call")
	return "converged"
}

// documented checks that err is one of the errors Reconcile documents, that the resources it
// names are in the state it says, and returns the error's reason.
func documented(t *testing.T, e *convergetest.Engine[stepRes], err error) string {
	var stuck *converge.StuckError
	if errors.As(err, &stuck) {
		require.NotEmpty(t, stuck.Resources, "a stuck error names resources: %v", err)
		phases := map[string]converge.Phase{}
		for _, o := range e.Existing() {
			phases[o.Resource.Name] = o.Phase
		}
		for _, k := range stuck.Resources {
			phase, exists := phases[k]
			switch {
			case errors.Is(err, converge.ErrNoProgress):
				assert.True(t, exists, "%s could not be destroyed, so it exists", k)
			case errors.Is(err, converge.ErrNotReady):
				assert.Equal(t, converge.PhasePending, phase, "%s is still pending", k)
			case errors.Is(err, converge.ErrReplaceLimit):
				assert.False(t, exists, "%s failed too often and was destroyed: no orphan", k)
			}
		}
		for _, reason := range []error{converge.ErrNoProgress, converge.ErrNotReady, converge.ErrReplaceLimit} {
			if errors.Is(err, reason) {
				return reason.Error()
			}
		}
	}
	require.ErrorIs(t, err, converge.ErrBudgetExhausted, "an undocumented error: %v", err)
	require.ErrorIs(t, err, backoff.ErrExhausted)
	return "budget"
}
