package voltha_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

func TestTheDaemonConfiguresTheRouterFromTheRunningCores(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, threeCoresLayout)
	w.converge(t, want, "the first session pushes the whole configuration")
}

func TestARestartedRouterIsRepopulatedByANewSessionWithNothingOfTheOldOneAlive(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, threeCoresLayout)
	w.converge(t, want, "first session")
	// The router applies a call before its answer reaches the daemon: wait for the report,
	// or the router could be killed with the first session's last answer in flight.
	require.Eventually(t, func() bool { return len(w.fullSyncs()) == 1 }, 10*time.Second, 5*time.Millisecond,
		"the first session reported its push")

	addr := w.router.Addr()
	w.router.Stop()
	restarted, err := volthatest.StartRouter(addr)
	require.NoError(t, err)
	t.Cleanup(restarted.Stop)
	w.router = restarted
	require.Empty(t, restarted.Table().Connections, "a restarted router starts empty")
	w.converge(t, want, "a new session re-populates the restarted router")

	require.Eventually(t, func() bool { return len(w.fullSyncs()) >= 2 }, 10*time.Second, 5*time.Millisecond,
		"one full push per session, reported")
	full := w.fullSyncs()
	last := full[len(full)-1]
	assert.Equal(t, len(want.Connections)+len(want.Affinities), last.Changes.Len(),
		"the new session pushed everything, from an empty router")
	for _, s := range full {
		assert.Zero(t, s.Stale, "session %d started with a goroutine of an earlier session alive", s.Session)
	}
}

func TestACoreThatComesBackWithANewIPHasItsSlotRepointed(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, threeCoresLayout)
	w.converge(t, want, "before the restart")

	require.NoError(t, cluster.Restart(t.Context(), "rw-core1-0", "10.0.0.11"))
	cores.Move("rw-core1-0", "10.0.0.11:50057")
	want.Connections[1].Addr = "10.0.0.11:50057"
	w.converge(t, want, "the slot of the restarted core points at its new address")
}

func TestADiscoveredDeviceGetsAnAffinityToItsCoresBackend(t *testing.T) {
	cluster, cores, want := threeCores(t)
	require.NoError(t, cluster.Start(t.Context(), "rw-core2-0", "n1", "10.0.0.3"))
	require.NoError(t, cluster.Start(t.Context(), "rw-core2-1", "n2", "10.0.0.4"))
	cores.Set("rw-core2-0", "10.0.0.3:50057")
	cores.Set("rw-core2-1", "10.0.0.4:50057")
	want.Connections = append(want.Connections, rwConn("vcore21", "10.0.0.3:50057"), rwConn("vcore22", "10.0.0.4:50057"))
	w := start(t, cluster, cores, voltha.Layout{Names: names, RWCores: 4, ROCores: 1})
	w.converge(t, want, "before the discovery")

	w.bus.Publish("olt-9", "rw-core2-0")
	want.Affinities = append(want.Affinities, voltha.Affinity{Device: "olt-9", Backend: "vcore2"})
	w.converge(t, want, "the discovered device is routed to the backend of the core that found it")
}

func TestACoreThatDoesNotAnswerIsRoutedToAndItsDevicesComeWhenItAnswers(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*volthatest.Cores)
	}{
		{"an error", func(c *volthatest.Cores) { c.Fail("rw-core1-0", assert.AnError) }},
		{"no answer within the query timeout", func(c *volthatest.Cores) { c.Hang("rw-core1-0") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cluster, cores, want := threeCores(t)
			tt.fault(cores)
			w := start(t, cluster, cores, threeCoresLayout)
			partial := want
			partial.Affinities = want.Affinities[:1] // olt-2 is held by rw-core1-0 only
			w.converge(t, partial, "without its devices, the core still has its connection")

			cores.Fail("rw-core1-0", nil)
			w.converge(t, want, "the query is retried and its devices are routed")
		})
	}
}

func TestPodWatchErrorsFromTheAPIAreRetriedThroughClientGo(t *testing.T) {
	cluster, cores, want := threeCores(t)
	cluster.FailWatches(apierrors.NewInternalError(assert.AnError), apierrors.NewServiceUnavailable("busy"))
	w := start(t, cluster, cores, threeCoresLayout)
	w.converge(t, want, "after two failed watch calls")
	// The initial list lets the daemon converge before the watch is retried: wait for that.
	assert.Eventually(t, func() bool { return cluster.WatchCalls() >= 3 }, 30*time.Second, 10*time.Millisecond,
		"the failed watch calls were retried")
	assert.NoError(t, w.daemon.Healthy())
}

func TestAFailedCallToTheRouterEndsTheSessionAndTheNextOneStartsOver(t *testing.T) {
	cluster, cores, want := threeCores(t)
	w := start(t, cluster, cores, threeCoresLayout)
	w.converge(t, want, "first session")

	w.router.FailCalls(1)
	w.bus.Publish("olt-9", "rw-core1-1")
	want.Affinities = append(want.Affinities, voltha.Affinity{Device: "olt-9", Backend: "vcore1"})
	w.converge(t, want, "the next session pushed everything again, the new affinity with it")
	require.Eventually(t, func() bool { return len(w.fullSyncs()) == 2 }, 10*time.Second, 5*time.Millisecond,
		"a second session started and reported its push")
	full := w.fullSyncs()
	assert.Equal(t, len(want.Connections)+len(want.Affinities), full[1].Changes.Len(), "from a clean slate")
	assert.Zero(t, full[1].Stale)
	assert.Len(t, w.fullSyncs(), 2, "the router's refusal to set what it holds again did not end the second session")
}
