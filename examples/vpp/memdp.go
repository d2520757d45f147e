package vpp

import (
	"context"
	"net/netip"
	"slices"
	"sync"
)

// MemDataplane is an in-memory [Dataplane] server, the controller's embedded default: VIPs and
// application servers in maps, reached through connections ([MemDataplane.Dial]) like VPP's
// API socket. It can stop, start and restart; a restart forgets everything, as VPP does, and
// ends every connection made before it. It records every mutating call, so tests and the demo
// can see what the controller sent. It is safe for concurrent use; its zero value is not ready:
// use [NewMemDataplane].
type MemDataplane struct {
	mu      sync.Mutex
	epoch   int // incremented by every stop: a connection works only in the epoch it was made in
	running bool
	conf    Conf
	vips    map[VIP]*memVIP
	calls   []Call
	fails   int   // mutating calls left to fail
	failErr error // what they fail with
}

// memVIP is one VIP a MemDataplane holds.
type memVIP struct {
	params VIPParams
	ass    map[netip.Addr]uint8
}

// Call is one mutating call a [MemDataplane] served: its name ("add_vip", "del_vip", "add_as",
// "del_as", "set_weight", "set_conf") and arguments (Params for add_vip only).
type Call struct {
	Op      string
	VIP     VIP
	Params  VIPParams
	Address netip.Addr
	Weight  uint8
	Flush   bool
}

// NewMemDataplane returns a running, empty dataplane.
func NewMemDataplane() *MemDataplane {
	return &MemDataplane{running: true, vips: map[VIP]*memVIP{}}
}

// Dial connects to the dataplane; it fails with [ErrDisconnected] while it is stopped. Its
// signature fits [DialFunc]. It does not block.
func (m *MemDataplane) Dial(ctx context.Context) (Conn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if !m.running {
		return nil, ErrDisconnected
	}
	return &memConn{m: m, epoch: m.epoch}, nil
}

// Stop stops the dataplane: it forgets everything, every connection fails from now on, and
// Dial fails until [MemDataplane.Start]. Stopping a stopped dataplane does nothing.
func (m *MemDataplane) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		return
	}
	m.running = false
	m.epoch++
	m.conf = Conf{}
	m.vips = map[VIP]*memVIP{}
}

// Start starts a stopped dataplane, empty. Starting a running one does nothing.
func (m *MemDataplane) Start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running = true
}

// Restart is Stop then Start: a dataplane that crashed and came back empty at once. Every
// connection made before it fails; a new Dial works.
func (m *MemDataplane) Restart() {
	m.Stop()
	m.Start()
}

// Snapshot returns what the dataplane holds, sorted like [Dataplane.Dump], without a
// connection. A stopped dataplane holds nothing.
func (m *MemDataplane) Snapshot() []VIPEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dump()
}

// Conf returns the global configuration last set.
func (m *MemDataplane) Conf() Conf {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.conf
}

// FailNext makes the next n mutating calls (any call but Dump and Ping) fail with err, without
// effect and without being recorded: a dataplane that refuses requests for a while. n of zero
// or less ends a FailNext still in effect.
func (m *MemDataplane) FailNext(n int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fails, m.failErr = n, err
}

// Calls returns a copy of every mutating call served so far, in order.
func (m *MemDataplane) Calls() []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

func (m *MemDataplane) dump() []VIPEntry {
	out := make([]VIPEntry, 0, len(m.vips))
	for v, mv := range m.vips {
		e := VIPEntry{VIP: v, Params: mv.params}
		e.Params.NodePort = 0 // lb_vip_details has no node_port
		for a, w := range mv.ass {
			e.ASs = append(e.ASs, AS{Address: a, Weight: w})
		}
		slices.SortFunc(e.ASs, func(x, y AS) int { return x.Address.Compare(y.Address) })
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y VIPEntry) int { return compareVIP(x.VIP, y.VIP) })
	return out
}

func compareVIP(x, y VIP) int {
	if c := x.Prefix.Addr().Compare(y.Prefix.Addr()); c != 0 {
		return c
	}
	if c := int(x.Protocol) - int(y.Protocol); c != 0 {
		return c
	}
	return int(x.Port) - int(y.Port)
}

// vipParamsOK applies the checks the LB plugin makes when it adds a VIP; m.mu must be held.
func (m *MemDataplane) vipParamsOK(v VIP, p VIPParams) error {
	switch {
	case int(p.Encap) >= len(encapNames), p.Encap == EncapL3DSR && p.DSCP >= 64:
		return ErrInvalidArgument
	case !isPow2(p.NewFlowsTableLength):
		return ErrInvalidMemorySize
	case !p.Encap.allowsVIP(v.Prefix.Addr().Is4()):
		return ErrAddressFamily
	}
	for other, mv := range m.vips { // every port of a prefix has the same encap
		if other.Prefix == v.Prefix && mv.params.Encap != p.Encap {
			return ErrInvalidArgument
		}
	}
	return nil
}

func isPow2(n uint32) bool { return n != 0 && n&(n-1) == 0 }
