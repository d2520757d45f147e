package lbaas

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Reconciler keeps the LBaaS resources of one [Service] on one load balancer as they should
// be. It is the origin's reconciliation on steadfast's step reconciler: observe what carries
// the service's tag on this load balancer, plan with the four steps, destroy failed and
// unwanted resources, create what is missing (adopting what a lost create left behind), wait
// until it is ready. Safe for concurrent use, though running Reconcile twice at once for one
// service makes little sense.
type Reconciler struct {
	api api
	r   *converge.Reconciler[Resource]
}

// api is the reconciler's Observer and Engine: the Engine seen through one service's tag.
type api struct {
	svc Service
	c   *Client
	log *slog.Logger
	// skipped holds the identifiers of foreign resources already reported, so each is
	// reported once per Reconciler, not at every observe.
	skipped *sync.Map
}

// ErrNoLoadBalancer means the service's load balancer does not exist (or the token's account
// cannot see it). Reconcile, Plan and Status check it first, as the origin does.
var ErrNoLoadBalancer = errors.New("lbaas: no such load balancer")

// New returns a reconciler for svc through c, or svc's validation error: nothing bad
// reaches the Engine. It makes no API call.
func New(c *Client, svc Service, opts ...Option) (*Reconciler, error) {
	if err := svc.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("lbaas: nil client")
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	a := api{svc: svc, c: c, log: o.log, skipped: &sync.Map{}}
	return &Reconciler{api: a, r: converge.New[Resource](a, a, key, svc.steps(), o.reconcile...)}, nil
}

// key names a resource for the reconciler: kind and name, which the steps derive from the
// service, so a resource planned again is known to be the one that failed before. Binds of one
// address family share a name (as the origin names them), so a bind's key adds its address.
func key(r Resource) string {
	k := string(r.Kind) + "/" + r.Name
	if r.Kind == KindBind {
		k += "@" + r.Address
	}
	return k
}

// Plan returns what the next pass would do, without doing it.
func (x *Reconciler) Plan(ctx context.Context) (converge.Plan[Resource], error) {
	if err := x.api.checkLoadBalancer(ctx); err != nil {
		return converge.Plan[Resource]{}, err
	}
	return x.r.Plan(ctx)
}

// Reconcile converges the service's resources, or returns the step reconciler's error that
// says why it could not (see package reconcile), or one matching [ErrNoLoadBalancer].
func (x *Reconciler) Reconcile(ctx context.Context) error {
	if err := x.api.checkLoadBalancer(ctx); err != nil {
		return err
	}
	return x.r.Reconcile(ctx)
}

// Status maps each external IP to the ports bound on it now, ports sorted, as the origin's
// Status does: what a Kubernetes service's status.loadBalancer reports. Only binds that are
// ready count.
func (x *Reconciler) Status(ctx context.Context) (map[string][]int, error) {
	if err := x.api.checkLoadBalancer(ctx); err != nil {
		return nil, err
	}
	observed, err := x.api.Observe(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string][]int{}
	for _, o := range observed {
		if b := o.Resource; b.Kind == KindBind && o.Phase == converge.PhaseReady {
			status[b.Address] = append(status[b.Address], b.Port)
		}
	}
	for ip := range status {
		slices.Sort(status[ip])
	}
	return status, nil
}

// checkLoadBalancer makes sure the service's load balancer exists.
func (x api) checkLoadBalancer(ctx context.Context) error {
	_, err := x.c.Get(ctx, KindLoadBalancer, x.svc.LoadBalancer)
	switch {
	case IsNotFound(err):
		return fmt.Errorf("%w: %q (check the identifier, and that the token's account can see it): %w",
			ErrNoLoadBalancer, x.svc.LoadBalancer, err)
	case err != nil:
		return fmt.Errorf("lbaas: reading load balancer %q: %w", x.svc.LoadBalancer, err)
	}
	return nil
}
