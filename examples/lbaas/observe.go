package lbaas

import (
	"context"
	"fmt"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Observe lists the resources that carry the service's tag on its load balancer, each with the
// phase of its state (see [State.Phase]). It is the reconciler's [converge.Observer], and
// reads the way the origin does: the core API's listing by tag (every page), then each
// resource's type from the core API, then the resource from the LBaaS API. It keeps, as the
// origin does, the backends and frontends of the service's load balancer and the binds and
// servers under them; a bind or server whose parent is gone is kept too, so the steps destroy
// it. A tagged resource of a type the adapter does not manage is skipped and reported to the
// logger, once per Reconciler; one destroyed between the listing and the read is skipped.
// It changes nothing.
func (x api) Observe(ctx context.Context) ([]converge.Observed[Resource], error) {
	refs, err := x.c.Tagged(ctx, x.svc.Tag())
	if err != nil {
		return nil, fmt.Errorf("lbaas: listing the service's resources: %w", err)
	}
	var found []Resource
	for _, ref := range refs {
		r, ok, err := x.read(ctx, ref)
		if err != nil {
			return nil, err
		}
		if ok {
			found = append(found, r)
		}
	}
	mine, err := x.onLoadBalancer(ctx, found)
	if err != nil {
		return nil, err
	}
	out := make([]converge.Observed[Resource], 0, len(mine))
	for _, r := range mine {
		out = append(out, converge.Observed[Resource]{Resource: r, Phase: r.State.Phase()})
	}
	return out, nil
}

// read returns the LBaaS resource ref names; false if it is gone or of a type the adapter does
// not manage.
func (x api) read(ctx context.Context, ref Ref) (Resource, bool, error) {
	core, err := x.c.CoreResource(ctx, ref.Identifier)
	if IsNotFound(err) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, fmt.Errorf("lbaas: reading the type of %q: %w", ref.Identifier, err)
	}
	kind, ok := core.Kind()
	if !ok {
		if _, seen := x.skipped.LoadOrStore(core.Identifier, true); !seen {
			x.log.Info("lbaas: skipping a resource of a type the adapter does not manage", "identifier", core.Identifier,
				"name", core.Name, "type", core.TypeName, "type_id", core.TypeID, "tag", x.svc.Tag())
		}
		return Resource{}, false, nil
	}
	r, err := x.c.Get(ctx, kind, ref.Identifier)
	if IsNotFound(err) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, fmt.Errorf("lbaas: reading %s %q: %w", kind, ref.Identifier, err)
	}
	return r, true, nil
}

// onLoadBalancer keeps the resources of found that are on the service's load balancer.
func (x api) onLoadBalancer(ctx context.Context, found []Resource) ([]Resource, error) {
	ours := map[string]Kind{} // identifiers of the backends and frontends kept
	var mine, children []Resource
	for _, r := range found {
		switch r.Kind {
		case KindBackend, KindFrontend:
			if r.LoadBalancer == x.svc.LoadBalancer {
				mine = append(mine, r)
				ours[r.Identifier] = r.Kind
			}
		case KindBind, KindServer:
			children = append(children, r)
		}
	}
	gone := map[string]bool{}
	for _, r := range children {
		kind, id := KindFrontend, r.Frontend
		if r.Kind == KindServer {
			kind, id = KindBackend, r.Backend
		}
		keep := ours[id] == kind
		if !keep {
			var err error
			if keep, err = x.gone(ctx, kind, id, gone); err != nil {
				return nil, err
			}
		}
		if keep {
			mine = append(mine, r)
		}
	}
	return mine, nil
}

// gone reports whether the parent (kind, id) of a bind or server no longer exists; a parent
// that exists but is not one kept is another load balancer's. seen caches the answers of one
// observe.
func (x api) gone(ctx context.Context, kind Kind, id string, seen map[string]bool) (bool, error) {
	if id == "" {
		return true, nil
	}
	if g, ok := seen[id]; ok {
		return g, nil
	}
	_, err := x.c.Get(ctx, kind, id)
	if err != nil && !IsNotFound(err) {
		return false, fmt.Errorf("lbaas: reading the parent %s %q: %w", kind, id, err)
	}
	seen[id] = IsNotFound(err)
	return seen[id], nil
}
