package lbaas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Service is what one Kubernetes LoadBalancer service asks of the LBaaS: its ports, the external
// IPs it is reachable on, and the nodes that serve it ([Service.Deleted] asks for nothing). UID tags everything made for it, so the
// resources can be found again. NameSuffix ends every resource's name, as in the origin, which
// uses "<service>.<namespace>.<cluster>": it should be unique per service on the load
// balancer, since a create whose answer was lost is found again by its name.
type Service struct {
	UID          string   `json:"uid"`
	LoadBalancer string   `json:"load_balancer"` // identifier of the LBaaS load balancer to use
	NameSuffix   string   `json:"name_suffix"`
	Ports        []Port   `json:"ports"`
	ExternalIPs  []string `json:"external_ips"`
	Nodes        []Node   `json:"nodes"`
}

// Port is one service port: clients reach External on the external IPs, the nodes serve it on
// Internal (the NodePort).
type Port struct {
	Name     string `json:"name"`
	External int    `json:"external"`
	Internal int    `json:"internal"`
}

// Node is one Kubernetes node that serves the service.
type Node struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Validate refuses a service that cannot be reconciled, before any API call: an empty UID or load
// balancer, no ports, a port without a name or out of 1..65535, duplicate port names, an external
// IP or node address that is not an IP, duplicate IPs or node names, no nodes. It reports every
// problem, not just the first. A service with no ports, no external IPs and no nodes at all is
// valid: it is the service deleted, and reconciling it destroys everything made for it on its
// load balancer, as the origin's EnsureLoadBalancerDeleted does.
func (s Service) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.UID == "" {
		bad("uid is empty")
	}
	if s.LoadBalancer == "" {
		bad("load_balancer is empty")
	}
	deleted := len(s.Ports) == 0 && len(s.ExternalIPs) == 0 && len(s.Nodes) == 0
	if len(s.Ports) == 0 && !deleted {
		bad("no ports")
	}
	checkPorts(s.Ports, bad)
	checkIPs(s.ExternalIPs, "external IP", bad)
	if len(s.Nodes) == 0 && !deleted {
		bad("the node list is empty")
	}
	var nodeNames, addrs []string
	for _, n := range s.Nodes {
		if n.Name == "" || slices.Contains(nodeNames, n.Name) {
			bad("node name %q is empty or used twice", n.Name)
		}
		nodeNames = append(nodeNames, n.Name)
		addrs = append(addrs, n.Address)
	}
	checkIPs(addrs, "node address", bad)
	if len(errs) > 0 {
		return fmt.Errorf("lbaas: invalid service: %w", errors.Join(errs...))
	}
	return nil
}

func checkPorts(ports []Port, bad func(string, ...any)) {
	var names []string
	for _, p := range ports {
		switch {
		case p.Name == "":
			bad("a port has no name")
		case slices.Contains(names, p.Name):
			bad("port name %q is used twice", p.Name)
		}
		names = append(names, p.Name)
		for _, v := range []int{p.External, p.Internal} {
			if v < 1 || v > 65535 {
				bad("port %q: %d is out of range 1..65535", p.Name, v)
			}
		}
	}
}

func checkIPs(ips []string, what string, bad func(string, ...any)) {
	var seen []netip.Addr
	for _, s := range ips {
		a, err := netip.ParseAddr(s)
		if err != nil {
			bad("%s %q is not an IP address", what, s)
			continue
		}
		a = a.Unmap() // ::ffff:192.0.2.1 is 192.0.2.1, as the Engine shows it
		if slices.Contains(seen, a) {
			bad("%s %s is listed twice", what, s)
		}
		seen = append(seen, a)
	}
}

// Deleted returns s asking for nothing: reconciling it destroys every resource made for s on
// its load balancer.
func (s Service) Deleted() Service {
	s.Ports, s.ExternalIPs, s.Nodes = nil, nil, nil
	return s
}

// ParseService decodes a service from JSON (the fields of [Service]; unknown fields are
// refused) and validates it.
func ParseService(data []byte) (Service, error) {
	var s Service
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Service{}, fmt.Errorf("lbaas: decoding a service: %w", err)
	}
	if dec.More() {
		return Service{}, errors.New("lbaas: decoding a service: more than one JSON value")
	}
	return s, s.Validate()
}

// The tags: every resource made for a service carries tagPrefix + its UID. The origin's
// prefix is another, so the two never take each other's resources for their own.
const (
	tagPrefix       = "steadfast-svc-uid="
	originTagPrefix = "anxccm-svc-uid="
)

// Tag returns the tag every resource made for s carries, "steadfast-svc-uid=<uid>", as the
// origin's "anxccm-svc-uid=<uid>".
func (s Service) Tag() string { return tagPrefix + s.UID }

// name joins the non-empty parts and the name suffix with dots, as the origin names resources.
func (s Service) name(parts ...string) string {
	return strings.Join(slices.DeleteFunc(append(parts, s.NameSuffix), func(p string) bool { return p == "" }), ".")
}
