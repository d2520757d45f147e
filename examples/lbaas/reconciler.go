package lbaas

import (
	"context"
	"fmt"
	"slices"

	"github.com/steadfast-go/steadfast/reconcile"
)

// Reconciler keeps the LBaaS resources of one [Service] as they should be. It is the origin's
// reconciliation on steadfast's step reconciler: observe what carries the service's tag, plan
// with the four steps, destroy failed and unwanted resources, create what is missing, wait
// until it is ready. Safe for concurrent use, though running Reconcile twice at once for one
// service makes little sense.
type Reconciler struct {
	api api
	r   *reconcile.Reconciler[Resource]
}

// api is the reconciler's Observer and Engine: the LBaaS API seen through one service's tag.
type api struct {
	svc Service
	c   *Client
}

// NewReconciler returns a reconciler for svc through c, or svc's validation error: nothing bad
// reaches the API. opts are passed to the step reconciler (policies, parallelism, hooks). It
// makes no API call.
func NewReconciler(c *Client, svc Service, opts ...reconcile.ReconcilerOption) (*Reconciler, error) {
	if err := svc.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("lbaas: nil client")
	}
	a := api{svc: svc, c: c}
	return &Reconciler{api: a, r: reconcile.NewReconciler[Resource](a, a, key, svc.steps(), opts...)}, nil
}

// key names a resource for the reconciler: kind and name, which the steps derive from the
// service, so a resource planned again is known to be the one that failed before.
func key(r Resource) string { return string(r.Kind) + "/" + r.Name }

// Plan returns what the next pass would do, without doing it.
func (x *Reconciler) Plan(ctx context.Context) (reconcile.Plan[Resource], error) {
	return x.r.Plan(ctx)
}

// Reconcile converges the service's resources, or returns the step reconciler's error that
// says why it could not (see package reconcile).
func (x *Reconciler) Reconcile(ctx context.Context) error { return x.r.Reconcile(ctx) }

// Status maps each external IP to the ports bound on it now, ports sorted, as the origin's
// Status does: what a Kubernetes service's status.loadBalancer reports.
func (x *Reconciler) Status(ctx context.Context) (map[string][]int, error) {
	observed, err := x.api.Observe(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string][]int{}
	for _, o := range observed {
		if b := o.Resource; b.Kind == KindBind && o.Phase == reconcile.PhaseReady {
			status[b.Address] = append(status[b.Address], b.Port)
		}
	}
	for ip := range status {
		slices.Sort(status[ip])
	}
	return status, nil
}

// Observe lists the resources that carry the service's tag, each with its phase. It is the
// reconciler's [reconcile.Observer]; resources tagged for other services are never seen.
func (x api) Observe(ctx context.Context) ([]reconcile.Observed[Resource], error) {
	refs, err := x.c.ListTag(ctx, x.svc.tag())
	if err != nil {
		return nil, err
	}
	out := make([]reconcile.Observed[Resource], 0, len(refs))
	for _, ref := range refs {
		r, err := x.c.Get(ctx, ref.Kind, ref.Identifier)
		if IsNotFound(err) {
			continue // destroyed between the listing and now
		}
		if err != nil {
			return nil, err
		}
		out = append(out, reconcile.Observed[Resource]{Resource: r, Phase: phase(r.State)})
	}
	return out, nil
}

func phase(s State) reconcile.Phase {
	switch s {
	case StateOK:
		return reconcile.PhaseReady
	case StateError:
		return reconcile.PhaseFailed
	}
	return reconcile.PhasePending
}

// Create creates r and tags it for the service. If the tag cannot be made, the resource would be
// invisible to the next observe, so it is destroyed again and the create reported as failed.
func (x api) Create(ctx context.Context, r Resource) (Resource, error) {
	created, err := x.c.Create(ctx, r)
	if err != nil {
		return Resource{}, err
	}
	if err := x.c.Tag(ctx, created.Identifier, x.svc.tag()); err != nil {
		if derr := x.c.Destroy(context.WithoutCancel(ctx), created.Kind, created.Identifier); derr != nil {
			return Resource{}, fmt.Errorf("lbaas: tagging %s: %w; destroying it again: %w", created, err, derr)
		}
		return Resource{}, fmt.Errorf("lbaas: tagging %s: %w", created, err)
	}
	return created, nil
}

// Destroy destroys r; one already gone counts as destroyed.
func (x api) Destroy(ctx context.Context, r Resource) error {
	return x.c.Destroy(ctx, r.Kind, r.Identifier)
}

// Refresh reads r's phase now.
func (x api) Refresh(ctx context.Context, r Resource) (reconcile.Phase, error) {
	got, err := x.c.Get(ctx, r.Kind, r.Identifier)
	if err != nil {
		return reconcile.PhasePending, err
	}
	return phase(got.State), nil
}
