package volthatest

import (
	"maps"
	"net"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

// Router is an in-process affinity router: it serves afrouter.Configuration as VOLTHA's
// afrouter does, with the backends and connections a configuration file of the router's
// [voltha.Layout] would declare, and keeps what it was told in memory. Its own inspection
// methods ([Router.Table], [Router.Refused], [Router.Calls], [Router.Changed]) are the
// read-back; the real router has none. Make one with [StartRouter].
type Router struct {
	afrouterpb.UnimplementedConfigurationServer
	srv    *grpc.Server
	addr   string
	layout voltha.Layout

	mu      sync.Mutex
	conns   map[[3]string]string // cluster, backend, connection -> IP:port
	affs    map[string]string    // device -> backend
	calls   int
	refused []string
	fail    int           // the next Set calls to fail
	changed chan struct{} // closed, and replaced, on every Set call; see Changed
}

// RouterOption configures a [Router].
type RouterOption func(*Router)

// WithLayout makes the router declare the backends and connections of l, and answer to its
// names (default voltha.DefaultLayout).
func WithLayout(l voltha.Layout) RouterOption { return func(r *Router) { r.layout = l } }

// StartRouter starts a router on addr ("127.0.0.1:0" for a free port; the address of a
// stopped router to restart it) and returns once it listens. Its gRPC server has the default
// options, as the real router's API server. It serves on a goroutine that ends with
// [Router.Stop].
func StartRouter(addr string, opts ...RouterOption) (*Router, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Router{addr: lis.Addr().String(), layout: voltha.DefaultLayout, conns: map[[3]string]string{},
		affs: map[string]string{}, changed: make(chan struct{})}
	for _, o := range opts {
		o(r)
	}
	r.srv = grpc.NewServer()
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

// Table returns what the router holds, the connections that point somewhere and the
// affinities, as a table sorted like [voltha.Table.RouterView].
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

// Refused returns why the router refused each call it refused as wrong (a name it does not
// declare, an affinity moved), in order. Calls failed by [Router.FailCalls], and a
// SetConnection refused because it changes nothing, are not listed.
func (r *Router) Refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.refused)
}

// Calls returns how many Set calls the router received, failed ones included.
func (r *Router) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// failing counts a Set call, announces it to Changed, and tells whether it must fail. r.mu
// must be held.
func (r *Router) failing() error {
	r.calls++
	close(r.changed)
	r.changed = make(chan struct{})
	if r.fail > 0 {
		r.fail--
		return status.Error(codes.Unavailable, "volthatest: call failed on command")
	}
	return nil
}

// refuse records a refusal and returns it as the real router does, an error of code Unknown.
// r.mu must be held.
func (r *Router) refuse(msg string) error {
	r.refused = append(r.refused, msg)
	return status.Error(codes.Unknown, msg)
}

func compareKeys(a, b [3]string) int { return slices.Compare(a[:], b[:]) }
