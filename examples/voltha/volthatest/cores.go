package volthatest

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/steadfast-go/steadfast/examples/voltha/corepb"
)

// Cores is a set of in-process VOLTHA cores, each holding devices and serving
// voltha.VolthaService (ListDeviceIds, ReconcileDevices) over gRPC at the pod address it was
// last given. The addresses are reached through [Cores.DialOption], in memory, so a pod's
// address need not be one of this machine's. The zero Cores holds no core and is ready to
// use; [Cores.Close] stops the cores' servers.
type Cores struct {
	mu     sync.Mutex
	cores  map[string]*core
	calls  int
	closed bool
}

type core struct {
	addr       string
	devices    []string
	err        error // returned by every call while set
	hang       bool  // calls block until their context ends
	reconciles [][]string
	srv        *grpc.Server
	lis        *bufconn.Listener
}

// Set places the core name at addr (IP:port), holding devices (replacing what it held), and
// starts its server if it has none (and Close was not called).
func (c *Cores) Set(name, addr string, devices ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cores == nil {
		c.cores = map[string]*core{}
	}
	k := c.cores[name]
	if k == nil {
		k = &core{lis: bufconn.Listen(1 << 16)}
		c.cores[name] = k
		if !c.closed { // a core set after Close answers nothing
			k.srv = grpc.NewServer()
			corepb.RegisterVolthaServiceServer(k.srv, &coreServer{c: c, name: name})
			go func() { _ = k.srv.Serve(k.lis) }()
		}
	}
	k.addr, k.devices, k.err, k.hang = addr, slices.Clone(devices), nil, false
}

// Move places the core name at a new address, keeping its devices, as a restarted core
// reloads them from its store.
func (c *Cores) Move(name, addr string) { c.update(name, func(k *core) { k.addr = addr }) }

// Replace places a fresh core name at a new address: it holds nothing until it is handed
// devices with ReconcileDevices.
func (c *Cores) Replace(name, addr string) {
	c.update(name, func(k *core) { k.addr, k.devices = addr, nil })
}

// AddDevice makes the core name hold device too.
func (c *Cores) AddDevice(name, device string) {
	c.update(name, func(k *core) { k.devices = append(k.devices, device) })
}

// Fail makes every call to the core name fail with err; a nil err makes it answer again.
func (c *Cores) Fail(name string, err error) {
	c.update(name, func(k *core) { k.err, k.hang = err, false })
}

// Hang makes every call to the core name block until its context ends.
func (c *Cores) Hang(name string) { c.update(name, func(k *core) { k.hang = true }) }

func (c *Cores) update(name string, fn func(*core)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		fn(k)
	}
}

// Calls returns how many ListDeviceIds calls the cores received.
func (c *Cores) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Held returns the devices the core name holds, in the order it took them up.
func (c *Cores) Held(name string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		return slices.Clone(k.devices)
	}
	return nil
}

// Reconciles returns the device lists of the ReconcileDevices calls the core name answered,
// in order.
func (c *Cores) Reconciles(name string) [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		return slices.Clone(k.reconciles)
	}
	return nil
}

// DialOption returns the dial option that reaches the cores at their addresses: give it to
// voltha.NewCoreAPI. A dial of an address no core is at fails, as it would.
func (c *Cores) DialOption() grpc.DialOption {
	return grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		c.mu.Lock()
		var lis *bufconn.Listener
		for _, k := range c.cores {
			if k.addr == addr && !c.closed {
				lis = k.lis
			}
		}
		c.mu.Unlock()
		if lis == nil {
			return nil, fmt.Errorf("volthatest: no core listens at %s", addr)
		}
		return lis.DialContext(ctx)
	})
}

// Close stops every core's server, failing the calls in flight, and waits for them. The cores
// answer no call after.
func (c *Cores) Close() {
	c.mu.Lock()
	c.closed = true
	var srvs []*grpc.Server
	for _, k := range c.cores {
		if k.srv != nil {
			srvs = append(srvs, k.srv)
		}
	}
	c.mu.Unlock()
	for _, s := range srvs {
		s.Stop()
	}
}

// coreServer serves one core's API.
type coreServer struct {
	corepb.UnimplementedVolthaServiceServer
	c    *Cores
	name string
}

// enter returns the core's state for a call, after hanging or failing as told.
func (s *coreServer) enter(ctx context.Context, count bool) (*core, error) {
	s.c.mu.Lock()
	if count {
		s.c.calls++
	}
	k := s.c.cores[s.name]
	hang, err := k.hang, k.err
	s.c.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}
	return k, err
}

// ListDeviceIds answers the devices the core holds.
func (s *coreServer) ListDeviceIds(ctx context.Context, _ *emptypb.Empty) (*corepb.IDs, error) {
	k, err := s.enter(ctx, true)
	if err != nil {
		return nil, err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	ids := &corepb.IDs{}
	for _, d := range k.devices {
		ids.Items = append(ids.Items, &corepb.ID{Id: d})
	}
	return ids, nil
}

// ReconcileDevices takes up the devices named that the core does not hold yet.
func (s *coreServer) ReconcileDevices(ctx context.Context, ids *corepb.IDs) (*emptypb.Empty, error) {
	k, err := s.enter(ctx, false)
	if err != nil {
		return nil, err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	var got []string
	for _, id := range ids.GetItems() {
		got = append(got, id.GetId())
		if !slices.Contains(k.devices, id.GetId()) {
			k.devices = append(k.devices, id.GetId())
		}
	}
	k.reconciles = append(k.reconciles, got)
	return &emptypb.Empty{}, nil
}
