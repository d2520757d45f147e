package reconciletest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

// newDNSReconciler is the code under test: a user's controller that keeps one DNS record per
// service.
func newDNSReconciler(o reconcile.Observer[string], e reconcile.Engine[string], services []string) *reconcile.Reconciler[string] {
	records := reconcile.StepFunc[string](func(_ context.Context, observed []reconcile.Observed[string]) (reconcile.Changes[string], error) {
		exists := map[string]bool{}
		for _, r := range observed {
			exists[r.Resource] = true
		}
		var c reconcile.Changes[string]
		for _, s := range services {
			if !exists[s] {
				c.Create = append(c.Create, s)
			}
		}
		return c, nil
	})
	return reconcile.NewReconciler(o, e, func(s string) string { return s }, []reconcile.Step[string]{records},
		reconcile.WithReadyPolicy(backoff.Policy{Initial: time.Millisecond, MaxElapsed: time.Second}),
		reconcile.WithReconcileRetryPolicy(backoff.Policy{Initial: time.Millisecond}))
}

// A user tests that their controller gets over a refused create and a record that ends failed:
// the fake engine scripts both and records every call.
func Example_engine() {
	refused := errors.New("503 service unavailable")
	dns := reconciletest.NewEngine(func(s string) string { return s },
		reconciletest.WithEngineFaults(func(op reconciletest.EngineOp, key string, n int) reconciletest.EngineFault {
			if op == reconciletest.OpCreate && key == "api" && n == 0 {
				return reconciletest.EngineFault{Err: refused}
			}
			return reconciletest.EngineFault{}
		}))
	dns.Script("web", reconciletest.PhaseScript{PendingRefreshes: 1, Fail: true}, reconciletest.PhaseScript{})

	err := newDNSReconciler(dns, dns, []string{"api", "web"}).Reconcile(context.Background())
	fmt.Println("error:", err)
	fmt.Println("records:", dns.Keys())
	fmt.Println("creates:", dns.Count(reconciletest.OpCreate), "destroys:", dns.Count(reconciletest.OpDestroy))
	// Output:
	// error: <nil>
	// records: [api web]
	// creates: 4 destroys: 1
}
