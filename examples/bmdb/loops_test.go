package bmdb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// runUntilReady runs the demo's loops over prov in a new session until all n machines are
// ready or a minute passes, and returns the reports the source refused.
func runUntilReady(t *testing.T, db *bmdb.DB, prov *bmdb.Provider, n int) []error {
	t.Helper()
	s := session(t, db, 5*time.Second)
	defer func() { require.NoError(t, s.Close(context.Background())) }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	var refused []error
	hooks := reconcile.Hooks{OnReportFailed: func(_ any, err error) {
		mu.Lock()
		defer mu.Unlock()
		refused = append(refused, err)
	}}
	loops := bmdb.Loops(prov, append(fast, bmdb.SourceBackoff(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond}))...)
	err := s.Run(ctx, func(ctx context.Context) error {
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		var wg sync.WaitGroup
		wg.Go(func() { defer stop(); waitReady(ctx, t, db, n) })
		err := bmdb.RunLoops(ctx, s, loops, reconcile.WithParallelism(4),
			reconcile.WithRateLimit(rate.NewLimiter(2000, 8)), reconcile.WithHooks(hooks))
		stop()
		wg.Wait()
		return err
	})
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "every machine became ready in time")
	return refused
}

// waitReady polls the stats until n machines are ready or ctx ends.
func waitReady(ctx context.Context, t *testing.T, db *bmdb.DB, n int) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st, err := db.Stats(ctx)
		if err == nil && st.Stages[bmdb.StageReady] == n {
			return
		}
		if err != nil && ctx.Err() == nil {
			t.Errorf("stats: %v", err)
		}
	}
}

// finishes counts the finished events per process and machine.
func finishes(t *testing.T, db *bmdb.DB) map[string]map[string]int {
	t.Helper()
	hist, err := db.History(context.Background())
	require.NoError(t, err)
	out := map[string]map[string]int{}
	for _, e := range hist {
		if e.Event != bmdb.EventFinished {
			continue
		}
		if out[e.Process] == nil {
			out[e.Process] = map[string]int{}
		}
		out[e.Process][e.Machine]++
	}
	return out
}

func TestTheLoopsBringEveryMachineReadyThroughFailuresCommittingEachStepOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		db := open(t, d.newDSN(t))
		ids := machines(60)
		require.NoError(t, db.AddMachines(context.Background(), bmdb.StageNew, ids...))
		prov := &bmdb.Provider{Latency: 2 * time.Millisecond, FailRate: 0.2, BusyRate: 0.05, BrokenRate: 0.1, Seed: 3}

		refused := runUntilReady(t, db, prov, len(ids))
		assert.Empty(t, refused, "one process never loses a lease")
		f := finishes(t, db)
		st, err := db.Stats(context.Background())
		require.NoError(t, err)
		broken := st.Events["initialize"][bmdb.EventDropped]
		require.NotZero(t, broken, "the seed must break some machines for the test to show recovery")
		for _, id := range ids {
			assert.Equal(t, 1, f["provision"][id], "provision of %s", id)
			assert.Equal(t, 1, f["initialize"][id], "initialize of %s", id)
		}
		assert.Len(t, f["recover"], broken, "every machine found broken recovered once")
		provisioned, installed := prov.Effects(bmdb.OpProvision), prov.Effects(bmdb.OpInstall)
		for _, id := range ids {
			assert.Equal(t, 1, provisioned[id], "the provider provisioned %s once", id)
			assert.Equal(t, map[bool]int{false: 1, true: 2}[prov.Broken(id)], installed[id],
				"the provider installed on %s once, or twice if it was found broken and repaired", id)
		}
		assert.Positive(t, st.Events["provision"][bmdb.EventFailed], "the provider's failures were retried")
		assert.Zero(t, st.Leases, "closing the session released everything")
	})
}
