package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

// Real-cluster mode, on the simulation: the daemon as -cluster runs it (the origin's names,
// core counts from the flags, the origin's timeouts and policies), cores asked over
// VolthaService, the router configured over afrouter.Configuration. A read-write core
// restarts with a new IP as a fresh core: its slot is re-pointed, no affinity is lost, and it
// is handed its devices back.
func TestRealClusterModeKeepsTheAffinitiesOfACoreRestartedWithANewIP(t *testing.T) {
	defer goleak.VerifyNone(t)
	cluster, cores := volthatest.NewCluster("voltha"), &volthatest.Cores{}
	defer cores.Close()
	for _, c := range []struct{ name, node, ip string }{
		{"rw-core1-0", "n1", "10.0.0.1"}, {"rw-core1-1", "n2", "10.0.0.2"}, {"ro-core-0", "n1", "10.0.9.1"},
	} {
		require.NoError(t, cluster.Start(t.Context(), c.name, c.node, c.ip))
	}
	cores.Set("rw-core1-0", "10.0.0.1:50057", "olt-1", "olt-2")
	cores.Set("rw-core1-1", "10.0.0.2:50057", "olt-1", "olt-2")
	cfg, err := parseConfig([]string{"-cluster", "-rw-cores=2", "-ro-cores=1"}, env(nil), io.Discard)
	require.NoError(t, err)
	router, err := volthatest.StartRouter("127.0.0.1:0", volthatest.WithLayout(cfg.layout))
	require.NoError(t, err)
	defer router.Stop()
	cfg.afrouter = router.Addr()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runWith(ctx, cfg, cluster.Pods(), ln, cores.DialOption()) }()
	defer func() {
		cancel()
		assert.NoError(t, <-done)
	}()
	want := "conn ro_vcore/ro_vcore1/ro_vcore11 -> 10.0.9.1:50057\n" +
		"conn vcore/vcore1/vcore11 -> 10.0.0.1:50057\nconn vcore/vcore1/vcore12 -> 10.0.0.2:50057\n" +
		"affinity olt-1 -> vcore1\naffinity olt-2 -> vcore1\n"
	holds(t, router, want)

	resp, err := http.Post("http://"+ln.Addr().String()+"/discover?device=olt-9&core=rw-core1-0", "", nil)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	cores.AddDevice("rw-core1-0", "olt-9")
	want += "affinity olt-9 -> vcore1\n"
	holds(t, router, want)

	cores.Replace("rw-core1-0", "10.0.0.11:50057")
	require.NoError(t, cluster.Restart(t.Context(), "rw-core1-0", "10.0.0.11"))
	holds(t, router, "conn ro_vcore/ro_vcore1/ro_vcore11 -> 10.0.9.1:50057\n"+
		"conn vcore/vcore1/vcore11 -> 10.0.0.11:50057\nconn vcore/vcore1/vcore12 -> 10.0.0.2:50057\n"+
		"affinity olt-1 -> vcore1\naffinity olt-2 -> vcore1\naffinity olt-9 -> vcore1\n")
	require.Eventually(t, func() bool { return len(cores.Held("rw-core1-0")) == 3 }, 20*time.Second, 10*time.Millisecond,
		"the restarted core is handed its devices back")
	assert.Equal(t, [][]string{{"olt-1", "olt-2", "olt-9"}}, cores.Reconciles("rw-core1-0"))
	assert.Empty(t, router.Refused(), "the router refused calls")
}

// holds waits until the router's table prints as want, woken by each call to the router.
func holds(t *testing.T, router *volthatest.Router, want string) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		changed := router.Changed()
		if router.Table().String() == want {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the router holds\n%swant\n%s", router.Table(), want)
		}
	}
}
