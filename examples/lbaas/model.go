package lbaas

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is one of the LBaaS resource types.
type Kind string

// The resource kinds, in the order the origin reconciles them, the load balancer first.
const (
	KindLoadBalancer Kind = "loadbalancer"
	KindBackend      Kind = "backend"
	KindFrontend     Kind = "frontend"
	KindBind         Kind = "bind"
	KindServer       Kind = "server"
)

// Kinds lists every kind the API serves.
var Kinds = []Kind{KindLoadBalancer, KindBackend, KindFrontend, KindBind, KindServer}

func (k Kind) valid() bool { return slices.Contains(Kinds, k) }

// State is a resource's provisioning state. The API provisions asynchronously: a created
// resource is pending, then ok or error.
type State string

// The provisioning states.
const (
	StatePending State = "pending"
	StateOK      State = "ok"
	StateError   State = "error"
)

// Resource is one LBaaS object. Which fields are set depends on its Kind:
//
//	loadbalancer  Name
//	backend       Name, LoadBalancer, Mode
//	frontend      Name, LoadBalancer, DefaultBackend, Mode
//	bind          Name, Frontend, Address (an external IP), Port (the external port)
//	server        Name, Backend, Address (a node's IP), Port (the node port)
//
// Identifier and State are set by the API.
type Resource struct {
	Kind           Kind   `json:"kind"`
	Identifier     string `json:"identifier,omitempty"`
	Name           string `json:"name"`
	State          State  `json:"state,omitempty"`
	LoadBalancer   string `json:"load_balancer,omitempty"`
	DefaultBackend string `json:"default_backend,omitempty"`
	Frontend       string `json:"frontend,omitempty"`
	Backend        string `json:"backend,omitempty"`
	Address        string `json:"address,omitempty"`
	Port           int    `json:"port,omitempty"`
	Mode           string `json:"mode,omitempty"`
}

// Spec is the resource without what the API decides (identifier and state): two resources with
// the same Spec are interchangeable, so the reconciler compares Specs.
func (r Resource) Spec() Resource {
	r.Identifier, r.State = "", ""
	return r
}

// String names the resource for humans: its kind, name, and the fields that make it what it is.
func (r Resource) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Kind, r.Name)
	switch r.Kind {
	case KindBind, KindServer:
		fmt.Fprintf(&b, " (%s:%d)", r.Address, r.Port)
	}
	return b.String()
}

// validate checks what the API requires of a resource to be created.
func (r Resource) validate() error {
	if !r.Kind.valid() {
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.Name == "" {
		return fmt.Errorf("%s: name is required", r.Kind)
	}
	missing := func(field, v string) error {
		if v == "" {
			return fmt.Errorf("%s %s: %s is required", r.Kind, r.Name, field)
		}
		return nil
	}
	switch r.Kind {
	case KindBackend:
		return missing("load_balancer", r.LoadBalancer)
	case KindFrontend:
		return missing("load_balancer", r.LoadBalancer)
	case KindBind:
		if err := missing("frontend", r.Frontend); err != nil {
			return err
		}
		return missing("address", r.Address)
	case KindServer:
		if err := missing("backend", r.Backend); err != nil {
			return err
		}
		return missing("address", r.Address)
	}
	return nil
}
