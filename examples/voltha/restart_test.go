package voltha_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// A read-write core restarts with a new IP as a fresh process that holds nothing yet, and
// another device it had discovered: the router keeps every affinity all along, the slot is
// re-pointed, and the daemon hands the core its backend's devices back with ReconcileDevices.
func TestACoreRestartedWithANewIPKeepsItsDevicesAffinitiesAndIsHandedThemBack(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, threeCoresLayout)
	cores.AddDevice("rw-core1-0", "olt-9")
	w.bus.Publish("olt-9", "rw-core1-0")
	want.Affinities = append(want.Affinities, voltha.Affinity{Device: "olt-9", Backend: "vcore1"})
	w.converge(t, want, "before the restart")

	cores.Replace("rw-core1-0", "10.0.0.11:50057")
	require.NoError(t, cluster.Restart(t.Context(), "rw-core1-0", "10.0.0.11"))
	want.Connections[1].Addr = "10.0.0.11:50057"
	w.converge(t, want, "the slot is re-pointed and every affinity kept")
	require.Eventually(t, func() bool { return len(cores.Held("rw-core1-0")) == 3 }, 10*time.Second, 5*time.Millisecond,
		"the restarted core is handed its devices back")
	assert.Equal(t, [][]string{{"olt-1", "olt-2", "olt-9"}}, cores.Reconciles("rw-core1-0"), "once, with every device of its backend")
	assert.Empty(t, cores.Reconciles("rw-core1-1"), "the core that did not restart is not")

	for _, s := range w.reported() {
		if len(s.Table.Affinities) == len(want.Affinities) {
			continue
		}
		if len(s.Table.Affinities) > 0 || s.Session > 1 {
			t.Errorf("session %d pushed a table with affinities %v: one was dropped", s.Session, s.Table.Affinities)
		}
	}
}

// The origin's gate: with 2n read-write cores expected, nothing is configured while fewer run.
func TestTheRouterIsConfiguredOnlyOnceTheExpectedNumberOfCoresRun(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, voltha.Layout{Names: names, RWCores: 4, ROCores: 1})
	require.Eventually(t, func() bool { return len(w.fullSyncs()) > 0 }, 10*time.Second, 5*time.Millisecond)
	for _, s := range w.reported() {
		assert.Empty(t, s.Table.Connections, "two read-write cores of four run: nothing is configured")
	}
	assert.Empty(t, w.router.Table().Affinities)

	require.NoError(t, cluster.Start(t.Context(), "rw-core2-0", "n1", "10.0.0.3"))
	require.NoError(t, cluster.Start(t.Context(), "rw-core2-1", "n2", "10.0.0.4"))
	cores.Set("rw-core2-0", "10.0.0.3:50057", "olt-3")
	cores.Set("rw-core2-1", "10.0.0.4:50057", "olt-3")
	want.Connections = append(want.Connections, rwConn("vcore21", "10.0.0.3:50057"), rwConn("vcore22", "10.0.0.4:50057"))
	want.Affinities = append(want.Affinities, voltha.Affinity{Device: "olt-3", Backend: "vcore2"})
	w.converge(t, want, "four read-write cores run")
}
