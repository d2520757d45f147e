package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
	"github.com/steadfast-go/steadfast/watch"
)

// fast are the demo's policies: short waits, so the script runs in seconds.
var fast = backoff.Policy{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, MaxElapsed: backoff.Forever}

// stage is the embedded world of the demo and the daemon running on it.
type stage struct {
	cluster *volthatest.Cluster
	cores   *volthatest.Cores
	router  *volthatest.Router
	bus     *voltha.Bus
	daemon  *voltha.Daemon
	web     string // base URL of /healthz and /metrics
}

// demo plays the script; it returns an error at the first check that fails.
func demo(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	s, want, err := setUp(ctx)
	if err != nil {
		return err
	}
	defer func() { s.router.Stop() }()
	defer s.cores.Close()
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx) }()
	err = s.script(ctx, want)
	cancel()
	return errors.Join(err, <-done)
}

// setUp builds the world: two core groups, two read-only cores, a router whose configuration
// declares as many, and a pods API that fails the daemon's first two watch calls. The daemon
// is made as real-cluster mode makes it, with shorter waits.
func setUp(ctx context.Context) (*stage, voltha.Table, error) {
	s := &stage{cluster: volthatest.NewCluster("voltha"), cores: &volthatest.Cores{}, bus: &voltha.Bus{}}
	layout := voltha.Layout{Names: voltha.DefaultNames, RWCores: 4, ROCores: 2}
	for _, c := range []struct {
		name, node, ip string
		devices        []string
	}{
		{"rw-core1-0", "node-a", "10.0.1.1", []string{"olt-1", "olt-2"}},
		{"rw-core1-1", "node-b", "10.0.1.2", []string{"olt-1", "olt-2"}},
		{"rw-core2-0", "node-a", "10.0.2.1", []string{"olt-3"}},
		{"rw-core2-1", "node-b", "10.0.2.2", []string{"olt-3"}},
		{"ro-core-0", "node-a", "10.0.9.1", nil},
		{"ro-core-1", "node-b", "10.0.9.2", nil},
	} {
		if err := s.cluster.Start(ctx, c.name, c.node, c.ip); err != nil {
			return nil, voltha.Table{}, err
		}
		s.cores.Set(c.name, c.ip+":50057", c.devices...)
	}
	s.cluster.FailWatches(apierrors.NewInternalError(errors.New("etcd leader changed")),
		apierrors.NewServiceUnavailable("apiserver restarting"))
	var err error
	if s.router, err = volthatest.StartRouter("127.0.0.1:0", volthatest.WithLayout(layout)); err != nil {
		s.cores.Close()
		return nil, voltha.Table{}, err
	}
	cfg := config{layout: layout, corePort: voltha.DefaultCorePort, afrouter: s.router.Addr()}
	s.daemon, err = newDaemon(cfg, s.cluster.Pods(), s.bus, voltha.NewCoreAPI(s.cores.DialOption()),
		voltha.WithWatchOptions(watch.WithPolicy(fast)),
		voltha.WithSuperviseOptions(connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast)),
		voltha.WithQueryRetry(fast), voltha.WithRouterBudget(5*time.Second))
	if err != nil {
		s.router.Stop()
		s.cores.Close()
		return nil, voltha.Table{}, err
	}
	return s, expected(), nil
}

// expected is what the router should hold at the start.
func expected() voltha.Table {
	n := voltha.DefaultNames
	return voltha.Table{
		Connections: []voltha.Connection{
			conn(n.ROCluster, "ro_vcore1", "ro_vcore11", "10.0.9.1:50057"),
			conn(n.ROCluster, "ro_vcore2", "ro_vcore21", "10.0.9.2:50057"),
			conn(n.RWCluster, "vcore1", "vcore11", "10.0.1.1:50057"),
			conn(n.RWCluster, "vcore1", "vcore12", "10.0.1.2:50057"),
			conn(n.RWCluster, "vcore2", "vcore21", "10.0.2.1:50057"),
			conn(n.RWCluster, "vcore2", "vcore22", "10.0.2.2:50057"),
		},
		Affinities: []voltha.Affinity{{Device: "olt-1", Backend: "vcore1"}, {Device: "olt-2", Backend: "vcore1"},
			{Device: "olt-3", Backend: "vcore2"}},
	}
}

func conn(cluster, backend, slot, addr string) voltha.Connection {
	return voltha.Connection{Cluster: cluster, Backend: backend, Name: slot, Addr: addr}
}

// serve runs the daemon and its HTTP endpoints on 127.0.0.1 until ctx ends.
func (s *stage) serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.web = "http://" + ln.Addr().String()
	return serve(ctx, s.daemon, ln, s.daemon.Handler())
}

// script changes the world step by step and checks the router after each.
func (s *stage) script(ctx context.Context, want voltha.Table) error {
	if err := s.converge(ctx, "start (the pods API failed the first two watch calls)", want); err != nil {
		return err
	}
	if err := s.restartCore(ctx, want); err != nil {
		return err
	}
	if err := s.replaceReadOnly(ctx, want); err != nil {
		return err
	}
	s.cores.AddDevice("rw-core2-1", "olt-4")
	s.bus.Publish("olt-4", "rw-core2-1")
	want.Affinities = append(want.Affinities, voltha.Affinity{Device: "olt-4", Backend: "vcore2"})
	if err := s.converge(ctx, "olt-4 discovered by rw-core2-1: affinity set", want); err != nil {
		return err
	}
	return s.restartRouter(ctx, want)
}

// restartCore restarts rw-core1-0 with a new IP, as a fresh core that holds nothing: its slot
// is re-pointed, the affinities stay, and the daemon hands it its devices back.
func (s *stage) restartCore(ctx context.Context, want voltha.Table) error {
	s.cores.Replace("rw-core1-0", "10.0.1.11:50057")
	if err := s.cluster.Restart(ctx, "rw-core1-0", "10.0.1.11"); err != nil {
		return err
	}
	want.Connections[2].Addr = "10.0.1.11:50057"
	if err := s.converge(ctx, "rw-core1-0 restarted with a new IP, holding nothing: its slot is re-pointed, its affinities kept", want); err != nil {
		return err
	}
	if err := s.until(ctx, func() bool { return len(s.cores.Held("rw-core1-0")) == 2 }); err != nil {
		return fmt.Errorf("rw-core1-0 was not handed its devices back: %w", err)
	}
	fmt.Printf("== rw-core1-0 handed back %v with ReconcileDevices: it holds %v\n",
		s.cores.Reconciles("rw-core1-0"), s.cores.Held("rw-core1-0"))
	return nil
}

// replaceReadOnly deletes ro-core-1 and starts ro-core-2 on the same node: the new core takes
// the vacated slot, so the router sees one connection re-pointed.
func (s *stage) replaceReadOnly(ctx context.Context, want voltha.Table) error {
	if err := s.cluster.Delete(ctx, "ro-core-1"); err != nil {
		return err
	}
	if err := s.cluster.Start(ctx, "ro-core-2", "node-b", "10.0.9.3"); err != nil {
		return err
	}
	want.Connections[1].Addr = "10.0.9.3:50057"
	return s.converge(ctx, "ro-core-1 replaced by ro-core-2 on node-b: it takes the vacated slot", want)
}

// restartRouter kills the router, checks the daemon is still healthy within its budget,
// starts an empty router on the same address and waits for the new session to re-populate it.
func (s *stage) restartRouter(ctx context.Context, want voltha.Table) error {
	addr := s.router.Addr()
	s.router.Stop()
	fmt.Println("== afrouter killed")
	if !backoff.Sleep(ctx, 300*time.Millisecond) { // let the daemon see the loss and retry a few dials
		return ctx.Err()
	}
	if code, body := s.get("/healthz"); code != http.StatusOK {
		return fmt.Errorf("healthz %d within the router budget: %s", code, body)
	}
	r, err := volthatest.StartRouter(addr)
	if err != nil {
		return err
	}
	s.router = r
	fmt.Printf("== afrouter restarted on %s, empty: %d connections\n", addr, len(r.Table().Connections))
	if err := s.converge(ctx, "afrouter restarted: a new session re-populated it", want); err != nil {
		return err
	}
	code, body := s.get("/healthz")
	fmt.Printf("== /healthz: %d %s", code, body)
	_, metrics := s.get("/metrics")
	for line := range strings.Lines(metrics) {
		if !strings.HasPrefix(line, "#") && !strings.Contains(line, "_bucket{") {
			fmt.Print("   ", line)
		}
	}
	if code != http.StatusOK {
		return fmt.Errorf("healthz %d after the router came back", code)
	}
	return nil
}
