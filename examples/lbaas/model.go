package lbaas

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is one of the LBaaS resource types, spelled as in the Engine's paths
// (/api/LBaaS/v1/{kind}.json).
type Kind string

// The resource kinds, in the order the origin reconciles them, the load balancer first.
const (
	KindLoadBalancer Kind = "loadbalancer"
	KindBackend      Kind = "backend"
	KindFrontend     Kind = "frontend"
	KindBind         Kind = "bind"
	KindServer       Kind = "server"
)

// Kinds lists every kind the adapter knows.
var Kinds = []Kind{KindLoadBalancer, KindBackend, KindFrontend, KindBind, KindServer}

func (k Kind) valid() bool { return slices.Contains(Kinds, k) }

// path is the kind's collection on the Engine.
func (k Kind) path() string { return "/api/LBaaS/v1/" + string(k) + ".json" }

// Resource is one LBaaS object, in the adapter's own flat shape (the Engine nests references
// as {"identifier": ...} objects; see the package doc). Which fields are set depends on Kind:
//
//	loadbalancer  Name, Address (its IP)
//	backend       Name, LoadBalancer, Mode, HealthCheck
//	frontend      Name, LoadBalancer, DefaultBackend, Mode
//	bind          Name, Frontend, Address (an external IP), Port (the external port)
//	server        Name, Backend, Address (a node's IP), Port (the node port), Check
//
// LoadBalancer, DefaultBackend, Frontend and Backend hold identifiers. Identifier and State
// are set by the Engine.
type Resource struct {
	Kind           Kind
	Identifier     string
	Name           string
	State          State
	LoadBalancer   string
	DefaultBackend string
	Frontend       string
	Backend        string
	Address        string
	Port           int
	Mode           string
	HealthCheck    string
	Check          string
}

// Spec is the resource without what the Engine decides (identifier and state): two resources
// with the same Spec are interchangeable, so the reconciler compares Specs. These are the
// fields the origin compares.
func (r Resource) Spec() Resource {
	r.Identifier, r.State = "", State{}
	return r
}

// String names the resource for humans: its kind, name, and for binds and servers the
// address they are for.
func (r Resource) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Kind, r.Name)
	switch r.Kind {
	case KindBind, KindServer:
		fmt.Fprintf(&b, " (%s:%d)", r.Address, r.Port)
	}
	return b.String()
}

// parent is the identifier the Engine filters a listing of r's kind by: the load balancer of
// a backend or frontend, the frontend of a bind, the backend of a server.
func (r Resource) parent() (filter, id string) {
	switch r.Kind {
	case KindBackend, KindFrontend:
		return "load_balancer", r.LoadBalancer
	case KindBind:
		return "frontend", r.Frontend
	case KindServer:
		return "backend", r.Backend
	}
	return "", ""
}

// validate checks what the Engine requires of a resource to be created.
func (r Resource) validate() error {
	if !r.Kind.valid() {
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.Name == "" {
		return fmt.Errorf("%s: name is required", r.Kind)
	}
	var need []string
	switch r.Kind {
	case KindBackend:
		need = []string{"load_balancer", r.LoadBalancer, "mode", r.Mode}
	case KindFrontend:
		need = []string{"load_balancer", r.LoadBalancer, "default_backend", r.DefaultBackend, "mode", r.Mode}
	case KindBind:
		need = []string{"frontend", r.Frontend, "address", r.Address}
	case KindServer:
		need = []string{"backend", r.Backend, "ip", r.Address}
	}
	for i := 0; i < len(need); i += 2 {
		if need[i+1] == "" {
			return fmt.Errorf("%s %s: %s is required", r.Kind, r.Name, need[i])
		}
	}
	if (r.Kind == KindBind || r.Kind == KindServer) && (r.Port < 1 || r.Port > 65535) {
		return fmt.Errorf("%s %s: port %d is out of range 1..65535", r.Kind, r.Name, r.Port)
	}
	return nil
}
