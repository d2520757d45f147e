package stepbench

import (
	"context"
	"errors"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"k8s.io/apimachinery/pkg/util/wait"
)

// sequential is the baseline: the LBaaS reconciliation's algorithm as the original runs it.
// Each pass observes and runs every step; if anything is pending it waits; it destroys what
// is planned, one call after the other; else it creates what is planned, one call after the
// other, then waits until all of it is ready with wait.ExponentialBackoff (1s, factor 1.5),
// refreshing the resources one after the other and calling the condition at once the first
// time, as the original does.
func sequential(ctx context.Context, o converge.Observer[node], e converge.Engine[node], steps []converge.Step[node]) error {
	for {
		observed, err := o.Observe(ctx)
		if err != nil {
			return err
		}
		var pending, create, destroy []node
		for _, ob := range observed {
			if ob.Phase == converge.PhasePending {
				pending = append(pending, ob.Resource)
			}
		}
		for _, s := range steps {
			c, err := s.Plan(ctx, observed)
			if err != nil {
				return err
			}
			create, destroy = append(create, c.Create...), append(destroy, c.Destroy...)
		}
		switch {
		case len(pending) > 0:
			err = waitSequential(ctx, e, pending)
		case len(destroy) > 0:
			for _, n := range destroy {
				if err = e.Destroy(ctx, n); err != nil {
					return err
				}
			}
		case len(create) > 0:
			err = createSequential(ctx, e, create)
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func createSequential(ctx context.Context, e converge.Engine[node], create []node) error {
	for _, n := range create {
		if _, err := e.Create(ctx, n); err != nil {
			return err
		}
	}
	return waitSequential(ctx, e, create)
}

var errFailed = errors.New("resource failed")

// waitSequential polls every not-yet-ready resource, one after the other, until all are ready.
func waitSequential(ctx context.Context, e converge.Engine[node], rs []node) error {
	ready := make(map[string]bool, len(rs))
	b := wait.Backoff{Duration: time.Second, Factor: 1.5, Jitter: 0, Steps: 10, Cap: 5 * time.Minute}
	return wait.ExponentialBackoffWithContext(ctx, b, func(ctx context.Context) (bool, error) {
		done := true
		for _, n := range rs {
			if ready[n.Name] {
				continue
			}
			p, err := e.Refresh(ctx, n)
			switch {
			case err != nil:
				return false, err
			case p == converge.PhaseFailed:
				return false, errFailed
			case p == converge.PhaseReady:
				ready[n.Name] = true
			default:
				done = false
			}
		}
		return done, nil
	})
}
