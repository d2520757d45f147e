package convergetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// newDNSReconciler is the code under test: a user's controller that keeps one DNS record per
// service.
func newDNSReconciler(o converge.Observer[string], e converge.Engine[string], services []string) *converge.Reconciler[string] {
	records := converge.StepFunc[string](func(_ context.Context, observed []converge.Observed[string]) (converge.Changes[string], error) {
		exists := map[string]bool{}
		for _, r := range observed {
			exists[r.Resource] = true
		}
		var c converge.Changes[string]
		for _, s := range services {
			if !exists[s] {
				c.Create = append(c.Create, s)
			}
		}
		return c, nil
	})
	return converge.New(o, e, func(s string) string { return s }, []converge.Step[string]{records},
		converge.WithReadyPolicy(backoff.Policy{Initial: time.Millisecond, MaxElapsed: time.Second}),
		converge.WithRetryPolicy(backoff.Policy{Initial: time.Millisecond}))
}

// A user tests that their controller gets over a refused create and a record that ends failed:
// the fake engine scripts both and records every call.
func Example_engine() {
	refused := errors.New("503 service unavailable")
	dns := convergetest.NewEngine(func(s string) string { return s },
		convergetest.WithEngineFaults(func(op convergetest.EngineOp, key string, n int) convergetest.EngineFault {
			if op == convergetest.OpCreate && key == "api" && n == 0 {
				return convergetest.EngineFault{Err: refused}
			}
			return convergetest.EngineFault{}
		}))
	dns.Script("web", convergetest.PhaseScript{PendingRefreshes: 1, Fail: true}, convergetest.PhaseScript{})

	err := newDNSReconciler(dns, dns, []string{"api", "web"}).Reconcile(context.Background())
	fmt.Println("error:", err)
	fmt.Println("records:", dns.Keys())
	fmt.Println("creates:", dns.Count(convergetest.OpCreate), "destroys:", dns.Count(convergetest.OpDestroy))
	// Output:
	// error: <nil>
	// records: [api web]
	// creates: 4 destroys: 1
}
