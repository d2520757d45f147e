package voltha_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
	"github.com/steadfast-go/steadfast/watch"
)

// world is a daemon running against the simulation: a cluster, cores, a router and a
// discovery bus, all in-process, the router on 127.0.0.1. The daemon reaches the router and
// the cores over their real gRPC APIs.
type world struct {
	cluster *volthatest.Cluster
	cores   *volthatest.Cores
	router  *volthatest.Router
	layout  voltha.Layout
	bus     *voltha.Bus
	daemon  *voltha.Daemon
	done    chan error
	stop    context.CancelFunc

	mu    sync.Mutex
	syncs []voltha.Sync
}

// fast are the policies of the tests: short waits, no budget.
var fast = backoff.Policy{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxElapsed: backoff.Forever}

// start starts a router of layout and the daemon on a cluster and cores the test prepared,
// with extra options after the harness's; the daemon is stopped and waited for when the test
// ends, and the router must have refused nothing.
func start(t *testing.T, cluster *volthatest.Cluster, cores *volthatest.Cores, layout voltha.Layout, extra ...voltha.Option) *world {
	t.Helper()
	router, err := volthatest.StartRouter("127.0.0.1:0", volthatest.WithLayout(layout))
	require.NoError(t, err)
	w := &world{cluster: cluster, cores: cores, router: router, layout: layout, bus: &voltha.Bus{}, done: make(chan error, 1)}
	t.Cleanup(func() { w.router.Stop() })
	pods := cluster.Pods()
	opts := []voltha.Option{voltha.WithLayout(layout),
		voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
		voltha.WithDiscovery(w.bus, watch.WithList(w.bus.List)),
		voltha.WithWatchOptions(watch.WithPolicy(fast)),
		voltha.WithSuperviseOptions(connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast)),
		voltha.WithQueryRetry(fast), voltha.WithQueryTimeout(200 * time.Millisecond),
		voltha.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
		voltha.OnSync(func(s voltha.Sync) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.syncs = append(w.syncs, s)
		})}
	w.daemon, err = voltha.New(pods, voltha.DialRouter(router.Addr(), time.Second), voltha.NewCoreAPI(cores.DialOption()),
		append(opts, extra...)...)
	require.NoError(t, err)
	ctx, stop := context.WithCancel(t.Context())
	w.stop = stop
	go func() { w.done <- w.daemon.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-w.done:
			require.NoError(t, err, "the daemon stops cleanly")
		case <-time.After(10 * time.Second):
			t.Error("the daemon did not stop within 10s")
		}
		assert.Empty(t, w.router.Refused(), "the router refused calls")
	})
	return w
}

// converge waits until the router holds want, under a deadline.
func (w *world) converge(t *testing.T, want voltha.Table, why string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond) // polling a real server under a deadline
	defer tick.Stop()
	for ; ; <-tick.C {
		got := w.router.Table()
		if got.String() == want.RouterView().String() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: after 10s the router holds\n%vwant\n%v", why, got, want.RouterView())
		}
	}
}

// reported returns every push the daemon reported.
func (w *world) reported() []voltha.Sync {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]voltha.Sync(nil), w.syncs...)
}

// fullSyncs returns the first push of every session, in order.
func (w *world) fullSyncs() []voltha.Sync {
	var full []voltha.Sync
	for _, s := range w.reported() {
		if s.Full {
			full = append(full, s)
		}
	}
	return full
}

var names = voltha.DefaultNames

func rwConn(slot, addr string) voltha.Connection {
	return voltha.Connection{Cluster: names.RWCluster, Backend: slot[:len(slot)-1], Name: slot, Addr: addr}
}

func roConn(slot, addr string) voltha.Connection {
	return voltha.Connection{Cluster: names.ROCluster, Backend: slot[:len(slot)-1], Name: slot, Addr: addr}
}

// threeCoresLayout is the layout of [threeCores]: one read-write backend, one read-only.
var threeCoresLayout = voltha.Layout{Names: names, RWCores: 2, ROCores: 1}

// threeCores is a cluster with one core group (rw-core1-0 on n1 holding olt-1 and olt-2,
// rw-core1-1 on n2 holding olt-1) and one read-only core, and what the router should hold.
// The cores are closed when the test ends.
func threeCores(t *testing.T) (*volthatest.Cluster, *volthatest.Cores, voltha.Table) {
	t.Helper()
	cluster, cores := volthatest.NewCluster("voltha"), &volthatest.Cores{}
	t.Cleanup(cores.Close)
	for _, c := range []struct{ name, node, ip string }{
		{"rw-core1-0", "n1", "10.0.0.1"}, {"rw-core1-1", "n2", "10.0.0.2"}, {"ro-core-0", "n1", "10.0.9.1"},
	} {
		require.NoError(t, cluster.Start(t.Context(), c.name, c.node, c.ip))
	}
	cores.Set("rw-core1-0", "10.0.0.1:50057", "olt-1", "olt-2")
	cores.Set("rw-core1-1", "10.0.0.2:50057", "olt-1")
	cores.Set("ro-core-0", "10.0.9.1:50057")
	want := voltha.Table{
		Connections: []voltha.Connection{
			roConn("ro_vcore11", "10.0.9.1:50057"),
			rwConn("vcore11", "10.0.0.1:50057"),
			rwConn("vcore12", "10.0.0.2:50057"),
		},
		Affinities: []voltha.Affinity{{Device: "olt-1", Backend: "vcore1"}, {Device: "olt-2", Backend: "vcore1"}},
	}
	return cluster, cores, want
}
