package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
	"github.com/steadfast-go/steadfast/examples/lbaas"
)

// leaseD is the lease duration of the replica tests: renew deadline 1.5 s, renewals every
// 250 ms, acquire attempts every 100 ms.
const leaseD = 2 * time.Second

// startReplicas starts 3 replicas, child processes of the test binary, on the lease of dsn
// (empty: a loopback Kubernetes Lease), and the drift that gives the leader work.
func startReplicas(t *testing.T, dsn string) (*cluster, context.Context) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	c, err := startCluster(ctx, exe, 3, dsn, leaseD)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		c.stop()
		terms, refused, err := checkRecord(c.api.Mutations())
		assert.NoError(t, err, "the Engine's record interleaves")
		t.Logf("record: %v; refused for a stale token: %d", terms, refused)
	})
	c.drift(ctx, 50*time.Millisecond)
	return c, ctx
}

// killAndPause plays the two faults: SIGKILL the leader, then SIGSTOP the next one past the
// lease and SIGCONT it once a third replica made calls.
func killAndPause(t *testing.T, dsn string) {
	c, ctx := startReplicas(t, dsn)
	first, next, err := c.waitLeader(ctx, 0)
	require.NoError(t, err)
	_, err = c.waitCalls(ctx, first.token, 5)
	require.NoError(t, err)

	killed := time.Now()
	require.NoError(t, c.signal(first.id, syscall.SIGKILL))
	second, next, err := c.waitLeader(ctx, next, first.id)
	require.NoError(t, err)
	takeover := second.at.Sub(killed)
	t.Logf("SIGKILL %s: %s leads with token %d after %v (lease duration %v)", first.id, second.id, second.token, takeover, leaseD)
	assert.Greater(t, second.token, first.token)
	// The lease expires at most leaseD after the kill; the next acquire attempt comes within
	// 100 ms (120 with jitter); a K8sLock counts from when it saw the last renewal, up to an
	// attempt later. The rest is the margin for this loaded machine.
	assert.Less(t, takeover, leaseD+500*time.Millisecond)
	_, err = c.waitCalls(ctx, second.token, 5)
	require.NoError(t, err)

	require.NoError(t, c.signal(second.id, syscall.SIGSTOP))
	third, next, err := c.waitLeader(ctx, next, first.id, second.id)
	require.NoError(t, err)
	newFirst, err := c.waitCalls(ctx, third.token, 1)
	require.NoError(t, err)
	require.NoError(t, c.signal(second.id, syscall.SIGCONT))
	stopped, _, err := c.waitEvent(ctx, next, func(e event) bool { return e.id == second.id && e.what == "STOPPED" })
	require.NoError(t, err)
	t.Logf("SIGSTOP %s past the lease: %s took over with token %d; after SIGCONT %s stopped: %s", second.id, third.id, third.token, second.id, stopped.detail)
	_, err = c.waitCalls(ctx, third.token, 10) // the new leader goes on
	require.NoError(t, err)

	for _, m := range c.api.Mutations() {
		if m.Holder == second.id && !m.Refused {
			assert.True(t, m.At.Before(newFirst.At), "%s made %s at %v, after %s's first call at %v", m.Holder, m.Call, m.At, third.id, newFirst.At)
		}
	}
	assert.Equal(t, []string{third.id}, c.leading(), "one leader")
}

func TestReplicasK8sLeaseKillAndPause(t *testing.T) { killAndPause(t, "") }

func TestReplicasPostgresKillAndPause(t *testing.T) {
	pg := bmdbtest.StartPostgres(t)
	killAndPause(t, pg.NewDatabase(t))
}

// TestReplicasPostgresRestartLeavesOneLeader restarts the database (an immediate shutdown,
// as pg_ctl restart -m immediate) under the replicas.
func TestReplicasPostgresRestartLeavesOneLeader(t *testing.T) {
	pg := bmdbtest.StartPostgres(t)
	c, ctx := startReplicas(t, pg.NewDatabase(t))
	first, _, err := c.waitLeader(ctx, 0)
	require.NoError(t, err)
	_, err = c.waitCalls(ctx, first.token, 5)
	require.NoError(t, err)
	require.NoError(t, pg.Crash())
	require.NoError(t, pg.Restart(ctx))
	calls := len(c.api.Mutations())
	// Whoever leads after the restart (the same replica if its renewals got through within
	// the renew deadline) goes on making calls.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for len(c.api.Mutations()) < calls+10 {
		select {
		case <-ctx.Done():
			t.Fatalf("no calls after the restart: %v", ctx.Err())
		case <-tick.C:
		}
	}
	leaders := c.leading()
	require.Len(t, leaders, 1, "one leader after the restart")
	t.Logf("leader before the restart %s/%d, after it %v", first.id, first.token, leaders)
	var last lbaas.Mutation
	for _, m := range c.api.Mutations() {
		if !m.Refused {
			last = m
		}
	}
	assert.Equal(t, leaders[0], last.Holder, "the last call is the leader's")
}
