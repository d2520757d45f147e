package vpp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Errors a [Dataplane] returns, named after the VPP API return values they stand for. Match
// them with errors.Is.
var (
	// ErrNoSuchEntry: the VIP or application server does not exist (VNET_API_ERROR_NO_SUCH_ENTRY).
	ErrNoSuchEntry = errors.New("vpp: no such entry")
	// ErrExists: the VIP or application server already exists (VNET_API_ERROR_VALUE_EXIST).
	ErrExists = errors.New("vpp: entry exists")
	// ErrInUse: a VIP cannot be deleted while it has application servers.
	ErrInUse = errors.New("vpp: VIP has application servers")
	// ErrDisconnected: the connection is closed, or the dataplane behind it restarted or stopped
	// (the API socket went away). Every call on that connection fails from then on: dial again.
	ErrDisconnected = errors.New("vpp: not connected")
	// ErrAddressFamily: the VIP's or the server's address family does not fit the encap
	// (VNET_API_ERROR_INVALID_ADDRESS_FAMILY).
	ErrAddressFamily = errors.New("vpp: address family does not fit the encap")
	// ErrInvalidMemorySize: a new-flows table length or a sticky bucket count that is not a
	// power of two (VNET_API_ERROR_INVALID_MEMORY_SIZE).
	ErrInvalidMemorySize = errors.New("vpp: table size is not a power of two")
	// ErrInvalidArgument: an encap or DSCP out of range, or a VIP whose encap differs from
	// another port's on the same prefix (VNET_API_ERROR_INVALID_ARGUMENT).
	ErrInvalidArgument = errors.New("vpp: invalid argument")
)

// VIP is the dataplane's key for a virtual service: prefix, protocol and port, as the LB
// plugin keys lb_add_del_vip. It is comparable.
type VIP struct {
	Prefix   netip.Prefix
	Protocol Protocol
	Port     uint16
}

// String returns "prefix proto/port".
func (v VIP) String() string { return fmt.Sprintf("%v %v/%d", v.Prefix, v.Protocol, v.Port) }

// Conf is the LB plugin's global configuration (lb_conf). A zero StickyBucketsPerCore or
// FlowTimeout leaves the dataplane's value as it is (lb_conf's default, 0xffffffff, on the
// wire).
type Conf struct {
	IP4Src               netip.Addr    // source address of the GRE4 tunnels to the servers
	IP6Src               netip.Addr    // source address of the GRE6 tunnels
	StickyBucketsPerCore uint32        // size of the flow table, a power of two
	FlowTimeout          time.Duration // idle time after which a flow is forgotten; sent in whole seconds
}

// AS is one application server of a VIP, as the dataplane holds it.
type AS struct {
	Address netip.Addr
	Weight  uint8
}

// VIPEntry is one VIP, its parameters and its application servers, as [Dataplane.Dump]
// returns it.
type VIPEntry struct {
	VIP    VIP
	Params VIPParams
	ASs    []AS
}

// Dataplane is a load-balancer dataplane, shaped like VPP's LB plugin binary API: global
// configuration (lb_conf), VIPs (lb_add_del_vip_v2), application servers with a weight
// (lb_add_del_as_v2), weights (lb_as_set_weight, with is_flush), a dump (lb_vip_dump and
// lb_as_v2_dump), and control_ping for liveness. The package README maps each method to its
// message, field by field. It is wider than the project's one- or two-method interfaces on
// purpose: it mirrors an API the controller must drive as it is.
//
// Calls are synchronous requests and replies; each returns when the dataplane answered or ctx
// ended. An implementation must be safe for concurrent use.
type Dataplane interface {
	// SetConf sets the global configuration.
	SetConf(ctx context.Context, c Conf) error
	// AddVIP creates a VIP with no application servers and the parameters p (ErrExists if it
	// exists; ErrAddressFamily, ErrInvalidMemorySize or ErrInvalidArgument for parameters the
	// plugin refuses).
	AddVIP(ctx context.Context, v VIP, p VIPParams) error
	// DelVIP deletes a VIP (ErrNoSuchEntry if missing, ErrInUse if it has servers).
	DelVIP(ctx context.Context, v VIP) error
	// AddAS adds an application server to a VIP with a weight (ErrExists, ErrNoSuchEntry,
	// ErrAddressFamily for a server of the wrong family for the VIP's encap).
	AddAS(ctx context.Context, v VIP, addr netip.Addr, weight uint8) error
	// DelAS deletes an application server, flushing its flows if flush (ErrNoSuchEntry).
	DelAS(ctx context.Context, v VIP, addr netip.Addr, flush bool) error
	// SetWeight changes a server's weight; flush tears down the flows pinned to it.
	SetWeight(ctx context.Context, v VIP, addr netip.Addr, weight uint8, flush bool) error
	// Dump returns every VIP with its parameters and servers.
	Dump(ctx context.Context) ([]VIPEntry, error)
	// Ping answers when the dataplane is alive (control_ping).
	Ping(ctx context.Context) error
}

// Conn is a connection to a dataplane: what a [DialFunc] returns and the controller closes
// when the connection is lost.
type Conn interface {
	Dataplane
	Close() error
}

// DialFunc opens a connection to the dataplane. The controller dials again, under backoff,
// after every loss.
type DialFunc func(ctx context.Context) (Conn, error)
