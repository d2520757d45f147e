package lbaas

import (
	"context"
	"net/netip"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// The four steps of the origin, in its order: backends, frontends, binds, servers. Each compares
// the resources of its kind that exist with those that should, by [Resource.Spec]. A child is
// planned only once its parent exists, since it names the parent's identifier; the reconciler
// ends a pass at the first step that plans creations, so the parent is created (and ready)
// before the next pass plans the child.

// steps returns the service's steps, named for the plan's printout.
func (s Service) steps() []converge.Step[Resource] {
	return []converge.Step[Resource]{
		s.step("backends", KindBackend, s.backends),
		s.step("frontends", KindFrontend, s.frontends),
		s.step("binds", KindBind, s.binds),
		s.step("servers", KindServer, s.servers),
	}
}

// desiredFunc lists the resources of one kind that should exist, given what exists.
type desiredFunc func(have index) []Resource

func (s Service) step(name string, kind Kind, desired desiredFunc) converge.Step[Resource] {
	return converge.NamedStep(name, converge.StepFunc[Resource](
		func(_ context.Context, observed []converge.Observed[Resource]) (converge.Changes[Resource], error) {
			have := newIndex(observed)
			return diff(have.ofKind(kind), desired(have)), nil
		}))
}

// diff plans the creation of every wanted resource that does not exist, and the destruction of
// every existing one that is not wanted, extra copies of a wanted one included. A resource
// replaced under the same key (a bind whose frontend was recreated) is planned both ways: the
// step reconciler takes that as a replacement, destroying the old one in this pass and creating
// the new one once the old one is gone.
func diff(have, want []Resource) converge.Changes[Resource] {
	var c converge.Changes[Resource]
	used := make([]bool, len(have))
	for _, w := range want {
		if i := firstUnused(have, used, w); i >= 0 {
			used[i] = true
		} else {
			c.Create = append(c.Create, w)
		}
	}
	for i, h := range have {
		if !used[i] {
			c.Destroy = append(c.Destroy, h)
		}
	}
	return c
}

// firstUnused returns the index of the first resource of have, not used yet, whose spec is w.
func firstUnused(have []Resource, used []bool, w Resource) int {
	for i, h := range have {
		if !used[i] && h.Spec() == w {
			return i
		}
	}
	return -1
}

// The origin's settings: TCP everywhere, its health check on backends, checks on servers.
const (
	modeTCP            = "tcp"
	backendHealthCheck = `"adv_check": "tcp-check"`
	serverCheck        = "enabled"
)

func (s Service) backends(index) []Resource {
	var want []Resource
	for _, p := range s.Ports {
		want = append(want, Resource{Kind: KindBackend, Name: s.name(p.Name), LoadBalancer: s.LoadBalancer,
			Mode: modeTCP, HealthCheck: backendHealthCheck})
	}
	return want
}

func (s Service) frontends(have index) []Resource {
	return s.perPort(have, KindBackend, func(p Port, be string) []Resource {
		return []Resource{{Kind: KindFrontend, Name: s.name(p.Name), LoadBalancer: s.LoadBalancer, DefaultBackend: be, Mode: modeTCP}}
	})
}

// binds are named for the address family, as the origin names them: two external IPs of one
// family share a name, and the reconciler's key tells them apart by address.
func (s Service) binds(have index) []Resource {
	return s.perPort(have, KindFrontend, func(p Port, fe string) []Resource {
		var want []Resource
		for _, ip := range s.ExternalIPs {
			addr, fam := canonicalIP(ip)
			want = append(want, Resource{Kind: KindBind, Name: s.name(fam, p.Name), Frontend: fe, Address: addr, Port: p.External})
		}
		return want
	})
}

func (s Service) servers(have index) []Resource {
	return s.perPort(have, KindBackend, func(p Port, be string) []Resource {
		var want []Resource
		for _, n := range s.Nodes {
			addr, _ := canonicalIP(n.Address)
			want = append(want, Resource{Kind: KindServer, Name: s.name(n.Name, p.Name), Backend: be, Address: addr,
				Port: p.Internal, Check: serverCheck})
		}
		return want
	})
}

// canonicalIP returns ip in the form the Engine answers with, and its family, "v4" or "v6"
// (an IPv4-mapped IPv6 address is IPv4, as for the origin). ip is valid: Validate checked it.
func canonicalIP(ip string) (string, string) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip, "v6"
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String(), "v4"
	}
	return a.String(), "v6"
}

// perPort collects, for each port whose parent (of kind parent, named for the port) exists,
// the resources children makes from the port and the parent's identifier. Ports whose parent
// is not there yet get nothing: their step plans them in a later pass.
func (s Service) perPort(have index, parent Kind, children func(Port, string) []Resource) []Resource {
	var want []Resource
	for _, p := range s.Ports {
		if r, ok := have.named(parent, s.name(p.Name)); ok {
			want = append(want, children(p, r.Identifier)...)
		}
	}
	return want
}

// index is what was observed, by kind.
type index map[Kind][]Resource

func newIndex(observed []converge.Observed[Resource]) index {
	ix := index{}
	for _, o := range observed {
		ix[o.Resource.Kind] = append(ix[o.Resource.Kind], o.Resource)
	}
	return ix
}

func (ix index) ofKind(k Kind) []Resource { return ix[k] }

// named returns the existing resource of kind k and name, if there is exactly one: with
// duplicates, children wait until the step of k has destroyed the extra ones.
func (ix index) named(k Kind, name string) (Resource, bool) {
	var found []Resource
	for _, r := range ix[k] {
		if r.Name == name {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return Resource{}, false
	}
	return found[0], true
}
