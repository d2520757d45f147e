package vpp

import (
	"fmt"
	"net/netip"
	"time"
)

// MaxWeight is the largest weight the LB plugin takes for an application server.
const MaxWeight = 100

// Config is what the controller keeps programmed: the global LB settings, the backends (each
// health-checked once, however many frontends use it) and the frontends, each with ordered
// pools of backends. A Config is a plain value; the controller never changes it.
type Config struct {
	Conf      Conf
	Backends  []Backend
	Frontends []Frontend
}

// Backend is one application server: its name, the address the dataplane sends traffic to (and
// the health check probes), whether an operator disabled it in the config, and its health
// check. A backend whose Check is the zero value ([CheckNone]) is static: it counts as up at
// the first check.
type Backend struct {
	Name     string
	Address  netip.Addr
	Disabled bool
	Check    HealthCheck
}

// CheckType is the kind of a [HealthCheck].
type CheckType uint8

// The kinds of health check. CheckNone, the zero value, makes a backend static.
const (
	CheckNone CheckType = iota
	CheckTCP            // connect to Address:Port and close
	CheckHTTP           // GET http://Address:Port/Path, any 2xx or 3xx answer passes
)

var checkTypeNames = []string{"none", "tcp", "http"}

// String returns "none", "tcp" or "http".
func (t CheckType) String() string {
	if int(t) < len(checkTypeNames) {
		return checkTypeNames[t]
	}
	return fmt.Sprintf("CheckType(%d)", uint8(t))
}

// MarshalText returns the name String returns, or an error for a type without one.
func (t CheckType) MarshalText() ([]byte, error) {
	if int(t) >= len(checkTypeNames) {
		return nil, fmt.Errorf("vpp: unknown check type %d", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText sets t from a name String returns.
func (t *CheckType) UnmarshalText(b []byte) error {
	return unmarshalName(b, checkTypeNames, "check type", t)
}

// HealthCheck says how to probe a backend and how many results in a row move it: Rise passes
// bring a down backend up, Fall failures bring an up backend down. Each probe is bounded by
// Timeout, and probes start Interval apart.
type HealthCheck struct {
	Type     CheckType
	Port     uint16
	Path     string // for CheckHTTP; "/" when empty
	Interval time.Duration
	Timeout  time.Duration
	Rise     int
	Fall     int
}

// Protocol is a frontend's IP protocol, numbered as IANA (and VPP) number them.
type Protocol uint8

// The protocols a frontend can balance.
const (
	TCP Protocol = 6
	UDP Protocol = 17
)

// String returns "tcp", "udp" or "proto-" and the number.
func (p Protocol) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return fmt.Sprintf("proto-%d", uint8(p))
}

// MarshalText returns "tcp" or "udp", or an error for another protocol.
func (p Protocol) MarshalText() ([]byte, error) {
	if p != TCP && p != UDP {
		return nil, fmt.Errorf("vpp: unknown protocol %d", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText sets p from "tcp" or "udp".
func (p *Protocol) UnmarshalText(b []byte) error {
	switch string(b) {
	case "tcp":
		*p = TCP
	case "udp":
		*p = UDP
	default:
		return fmt.Errorf("vpp: unknown protocol %q", b)
	}
	return nil
}

// Frontend is one virtual service: a VIP, protocol and port, served by the first of its Pools
// that has a backend up (see [ActivePool]). Encap and the fields after it are the VIP's
// parameters in the dataplane ([VIPParams]): the encap must fit the VIP's and the backends'
// address family, DSCP is for L3DSR only, SrvType, TargetPort and NodePort for NAT4 and NAT6
// only, and NewFlowsTableLength is a power of two up to [MaxNewFlowsTableLength], or zero for
// [DefaultNewFlowsTableLength].
type Frontend struct {
	Name     string
	VIP      netip.Addr
	Protocol Protocol
	Port     uint16
	Pools    []Pool

	Encap               Encap
	DSCP                uint8
	SrvType             SrvType
	TargetPort          uint16
	NodePort            uint16
	NewFlowsTableLength uint32
}

// Key returns the dataplane's key for the frontend's VIP.
func (f Frontend) Key() VIP {
	return VIP{Prefix: netip.PrefixFrom(f.VIP, f.VIP.BitLen()), Protocol: f.Protocol, Port: f.Port}
}

// Params returns the VIP's parameters as the dataplane is given them: the frontend's, with
// the default table length for zero.
func (f Frontend) Params() VIPParams {
	n := f.NewFlowsTableLength
	if n == 0 {
		n = DefaultNewFlowsTableLength
	}
	return VIPParams{Encap: f.Encap, DSCP: f.DSCP, SrvType: f.SrvType, TargetPort: f.TargetPort,
		NodePort: f.NodePort, NewFlowsTableLength: n}
}

// Pool is one priority tier of a frontend: backends by name with their weight in this pool.
type Pool struct {
	Name    string
	Members []Member
}

// Member is a backend in a pool, with its configured weight (0 to [MaxWeight]).
type Member struct {
	Backend string
	Weight  uint8
}
