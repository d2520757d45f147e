package vpp

import (
	"fmt"
	"net/netip"
)

// Encap is how a VIP's traffic reaches its application servers, numbered as the LB plugin's
// lb_encap_type enum numbers it. The zero value is EncapGRE4.
type Encap uint8

// The encapsulations of lb_encap_type. GRE4 and GRE6 name the tunnel's family, that is the
// application servers' family, whatever the VIP's; L3DSR (IPv4 only) rewrites the DSCP and
// routes to the server; NAT4 and NAT6 translate to the server's address and TargetPort.
const (
	EncapGRE4  Encap = 0 // LB_API_ENCAP_TYPE_GRE4: IPv4 GRE to IPv4 servers
	EncapGRE6  Encap = 1 // LB_API_ENCAP_TYPE_GRE6: IPv6 GRE to IPv6 servers
	EncapL3DSR Encap = 2 // LB_API_ENCAP_TYPE_L3DSR: IPv4 VIP and servers, DSCP marks the VIP
	EncapNAT4  Encap = 3 // LB_API_ENCAP_TYPE_NAT4: IPv4 VIP and servers
	EncapNAT6  Encap = 4 // LB_API_ENCAP_TYPE_NAT6: IPv6 VIP and servers
)

var encapNames = []string{"gre4", "gre6", "l3dsr", "nat4", "nat6"}

// String returns "gre4", "gre6", "l3dsr", "nat4", "nat6" or "Encap(n)".
func (e Encap) String() string {
	if int(e) < len(encapNames) {
		return encapNames[e]
	}
	return fmt.Sprintf("Encap(%d)", uint8(e))
}

// MarshalText returns the name String returns, or an error for an encap without one.
func (e Encap) MarshalText() ([]byte, error) {
	if int(e) >= len(encapNames) {
		return nil, fmt.Errorf("vpp: unknown encap %d", uint8(e))
	}
	return []byte(e.String()), nil
}

// UnmarshalText sets e from a name String returns.
func (e *Encap) UnmarshalText(b []byte) error { return unmarshalName(b, encapNames, "encap", e) }

// serverIP4 reports whether the encap carries traffic to IPv4 application servers.
func (e Encap) serverIP4() bool { return e == EncapGRE4 || e == EncapL3DSR || e == EncapNAT4 }

// allowsVIP reports whether a VIP of address family v4 (or v6) can use the encap: GRE works
// from either family, L3DSR and NAT4 need an IPv4 VIP, NAT6 an IPv6 one.
func (e Encap) allowsVIP(v4 bool) bool {
	switch e {
	case EncapGRE4, EncapGRE6:
		return true
	case EncapL3DSR, EncapNAT4:
		return v4
	case EncapNAT6:
		return !v4
	}
	return false
}

// SrvType is a NAT VIP's service type, numbered as the LB plugin's lb_srv_type enum numbers
// it. The zero value is SrvClusterIP.
type SrvType uint8

// The service types of lb_srv_type, for EncapNAT4 and EncapNAT6 only.
const (
	SrvClusterIP SrvType = 0 // LB_API_SRV_TYPE_CLUSTERIP
	SrvNodePort  SrvType = 1 // LB_API_SRV_TYPE_NODEPORT
)

var srvTypeNames = []string{"clusterip", "nodeport"}

// String returns "clusterip", "nodeport" or "SrvType(n)".
func (s SrvType) String() string {
	if int(s) < len(srvTypeNames) {
		return srvTypeNames[s]
	}
	return fmt.Sprintf("SrvType(%d)", uint8(s))
}

// MarshalText returns the name String returns, or an error for a type without one.
func (s SrvType) MarshalText() ([]byte, error) {
	if int(s) >= len(srvTypeNames) {
		return nil, fmt.Errorf("vpp: unknown service type %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText sets s from a name String returns.
func (s *SrvType) UnmarshalText(b []byte) error {
	return unmarshalName(b, srvTypeNames, "service type", s)
}

// DefaultNewFlowsTableLength is the new-flows table length a frontend gets when its config
// gives none: lb_add_del_vip's own default. The controller never sends a length of 0: the
// plugin takes the message's field as it is, and 0 is not a power of two.
const DefaultNewFlowsTableLength = 1024

// MaxNewFlowsTableLength is the largest new-flows table length a config may ask for: the
// plugin's lb_vip_details reports the length in 16 bits, so a longer table could not be read
// back by the dump the controller compares against.
const MaxNewFlowsTableLength = 1 << 15

// VIPParams are the arguments of lb_add_del_vip beyond the VIP's key: fixed when the VIP is
// created. A VIP whose dumped parameters differ from the frontend's is deleted and created
// again (see [Plan]). It is comparable.
type VIPParams struct {
	Encap               Encap
	DSCP                uint8   // L3DSR only: the DSCP value (0 to 63) that marks the VIP
	SrvType             SrvType // NAT4 and NAT6 only
	TargetPort          uint16  // NAT4 and NAT6 only: the servers' port
	NodePort            uint16  // NAT4 and NAT6 only; lb_vip_details does not report it
	NewFlowsTableLength uint32  // a power of two: buckets of the VIP's Maglev table
}

// String returns the parameters as the plugin's CLI would spell them, e.g. "encap gre4
// new_len 1024" or "encap l3dsr dscp 10 new_len 1024".
func (p VIPParams) String() string {
	s := "encap " + p.Encap.String()
	switch p.Encap {
	case EncapL3DSR:
		s += fmt.Sprintf(" dscp %d", p.DSCP)
	case EncapNAT4, EncapNAT6:
		s += fmt.Sprintf(" type %v target_port %d node_port %d", p.SrvType, p.TargetPort, p.NodePort)
	}
	return s + fmt.Sprintf(" new_len %d", p.NewFlowsTableLength)
}

// Matches reports whether dumped, as the dataplane reports a VIP's parameters, is what p asks
// for. NodePort is left out: lb_vip_details does not carry it.
func (p VIPParams) Matches(dumped VIPParams) bool {
	p.NodePort, dumped.NodePort = 0, 0
	return p == dumped
}

// serverFamilyOK reports whether an application server's address fits the encap.
func (p VIPParams) serverFamilyOK(a netip.Addr) bool { return a.Is4() == p.Encap.serverIP4() }

// unmarshalName sets *v to the index of b in names.
func unmarshalName[T ~uint8](b []byte, names []string, what string, v *T) error {
	for i, n := range names {
		if string(b) == n {
			*v = T(i)
			return nil
		}
	}
	return fmt.Errorf("vpp: unknown %s %q", what, b)
}
