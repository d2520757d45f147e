package sim

import (
	"context"
	"maps"
	"net"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

// KeepalivePolicy is what a [Router] accepts from its clients: a ping every 5 s at most, with
// or without a stream. Dial it with keepalive parameters within it ([Keepalive]).
var KeepalivePolicy = keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}

// Keepalive are client parameters a [Router] accepts: a ping after 10 s of silence (gRPC's
// minimum), given up after 1 s.
var Keepalive = keepalive.ClientParameters{Time: 10 * time.Second, Timeout: time.Second, PermitWithoutStream: true}

// Router is an in-process affinity router: it serves the afrouter configuration API and keeps
// what it was told in memory. Make one with [StartRouter].
type Router struct {
	afrouterpb.UnimplementedConfigurationServer
	srv  *grpc.Server
	addr string

	mu      sync.Mutex
	conns   map[[3]string]string // cluster, backend, connection -> addr
	affs    map[string]string    // device -> backend
	calls   int
	fail    int           // the next Set calls to fail
	changed chan struct{} // closed, and replaced, on every Set call; see Changed
}

// StartRouter starts a router on addr ("127.0.0.1:0" for a free port; the address of a
// stopped router to restart it) and returns once it listens. It serves on a goroutine that
// ends with [Router.Stop].
func StartRouter(addr string) (*Router, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Router{addr: lis.Addr().String(), conns: map[[3]string]string{}, affs: map[string]string{},
		changed: make(chan struct{})}
	r.srv = grpc.NewServer(grpc.KeepaliveEnforcementPolicy(KeepalivePolicy))
	afrouterpb.RegisterConfigurationServer(r.srv, r)
	go func() { _ = r.srv.Serve(lis) }()
	return r, nil
}

// Addr returns the address the router listens on.
func (r *Router) Addr() string { return r.addr }

// Stop kills the router: it closes the listener and every connection at once, without waiting
// for calls in flight, as a crash would. It blocks until the serving goroutine has returned.
func (r *Router) Stop() { r.srv.Stop() }

// FailCalls makes the next n Set calls fail with codes.Unavailable, changing nothing.
func (r *Router) FailCalls(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = n
}

// Changed returns a channel that is closed at the next Set call: a test or benchmark waits on it
// instead of polling [Router.Table].
func (r *Router) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// failing counts a Set call, announces it to Changed, and tells whether it must fail. r.mu
// must be held.
func (r *Router) failing() error {
	r.calls++
	close(r.changed)
	r.changed = make(chan struct{})
	if r.fail > 0 {
		r.fail--
		return status.Error(codes.Unavailable, "sim: call failed on command")
	}
	return nil
}

// SetConnection implements the API: it points a connection at an address, or removes it.
func (r *Router) SetConnection(_ context.Context, c *afrouterpb.Conn) (*afrouterpb.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.failing(); err != nil {
		return nil, err
	}
	key := [3]string{c.GetCluster(), c.GetBackend(), c.GetConnection()}
	if c.GetAddr() == "" {
		delete(r.conns, key)
	} else {
		r.conns[key] = c.GetAddr()
	}
	return &afrouterpb.Result{Success: true}, nil
}

// SetAffinity implements the API: it routes a device to a backend, or removes the affinity.
// A backend the router has no connection for is refused.
func (r *Router) SetAffinity(_ context.Context, a *afrouterpb.Affinity) (*afrouterpb.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.failing(); err != nil {
		return nil, err
	}
	if a.GetBackend() == "" {
		delete(r.affs, a.GetId())
		return &afrouterpb.Result{Success: true}, nil
	}
	for k := range r.conns {
		if k[0] == voltha.ClusterRW && k[1] == a.GetBackend() {
			r.affs[a.GetId()] = a.GetBackend()
			return &afrouterpb.Result{Success: true}, nil
		}
	}
	return &afrouterpb.Result{Error: "no backend " + a.GetBackend()}, nil
}

// GetConfig implements the API: everything the router holds, sorted.
func (r *Router) GetConfig(context.Context, *afrouterpb.GetConfigRequest) (*afrouterpb.Config, error) {
	t := r.Table()
	cfg := &afrouterpb.Config{}
	for _, c := range t.Connections {
		cfg.Connections = append(cfg.Connections, &afrouterpb.Conn{Cluster: c.Cluster, Backend: c.Backend, Connection: c.Name, Addr: c.Addr})
	}
	for _, a := range t.Affinities {
		cfg.Affinities = append(cfg.Affinities, &afrouterpb.Affinity{Id: a.Device, Backend: a.Backend})
	}
	return cfg, nil
}

// Table returns what the router holds, as a table sorted like [voltha.Table.RouterView].
func (r *Router) Table() voltha.Table {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t voltha.Table
	for _, k := range slices.SortedFunc(maps.Keys(r.conns), compareKeys) {
		t.Connections = append(t.Connections, voltha.Connection{Cluster: k[0], Backend: k[1], Name: k[2], Addr: r.conns[k]})
	}
	for _, dev := range slices.Sorted(maps.Keys(r.affs)) {
		t.Affinities = append(t.Affinities, voltha.Affinity{Device: dev, Backend: r.affs[dev]})
	}
	return t
}

// Calls returns how many Set calls the router received, failed ones included.
func (r *Router) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

func compareKeys(a, b [3]string) int { return slices.Compare(a[:], b[:]) }
