package voltha

import (
	"fmt"
	"net"
	"strconv"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

// ConnRequest returns the SetConnection request that points c's connection at its address,
// as the origin sent it: the server, cluster, backend and connection names, the core's IP in
// addr and its port in port. It returns an error if c's address is not an IP and a port.
func (n Names) ConnRequest(c Connection) (*afrouterpb.Conn, error) {
	host, port, err := SplitAddr(c.Addr)
	if err != nil {
		return nil, err
	}
	return &afrouterpb.Conn{Server: n.Server, Cluster: c.Cluster, Backend: c.Backend, Connection: c.Name,
		Addr: host, Port: port}, nil
}

// AffinityRequest returns the SetAffinity request that routes a's device to its backend on
// the router's route, as the origin sent it.
func (n Names) AffinityRequest(a Affinity) *afrouterpb.Affinity {
	return &afrouterpb.Affinity{Router: n.Router, Route: n.Route, Cluster: n.RWCluster, Backend: a.Backend, Id: a.Device}
}

// SplitAddr splits a core's address, "IP:port" ("[IPv6]:port"), into the IP and the port the
// router's Conn carries. It returns an error unless the host is an IP and the port a number
// from 1 to 65535.
func SplitAddr(addr string) (string, uint64, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("voltha: core address: %w", err)
	}
	if net.ParseIP(host) == nil {
		return "", 0, fmt.Errorf("voltha: core address %q: the host is not an IP", addr)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return "", 0, fmt.Errorf("voltha: core address %q: bad port", addr)
	}
	return host, port, nil
}
