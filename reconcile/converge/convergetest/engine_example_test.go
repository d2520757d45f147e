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
	dns := convergetest.NewEngine(func(s string) string { return s })
	dns.InjectFaults(func(c convergetest.FaultCall[string]) convergetest.EngineFault {
		if c.Op == convergetest.OpCreate && c.Key == "api" && c.N == 0 {
			return convergetest.EngineFault{Err: refused}
		}
		return convergetest.EngineFault{}
	})
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

// A user scripts a system that gives identifiers on create and refuses (409) to delete a
// parent that still has children: the fault sees the resource and what exists.
func Example_parentWithChildren() {
	sys := convergetest.NewEngine(nodeName)
	sys.Assign(assignID) // Create returns the node with the ID the system chose
	sys.InjectFaults(func(c convergetest.FaultCall[node]) convergetest.EngineFault {
		if c.Op == convergetest.OpDestroy && c.Has(func(o node) bool { return o.Parent == c.Resource.ID }) {
			return convergetest.EngineFault{Err: errors.New("409 conflict: the resource has children")}
		}
		return convergetest.EngineFault{}
	})
	want := true
	r := converge.New(sys, sys, nodeName, familySteps(&want),
		converge.WithRetryPolicy(backoff.Policy{Initial: time.Millisecond}))
	fmt.Println("create:", r.Reconcile(context.Background()), sys.Existing())

	want = false
	fmt.Println("delete:", r.Reconcile(context.Background()), sys.Keys())
	calls := sys.Calls()
	last := calls[len(calls)-2] // the last destroy, before the observe that saw nothing left
	fmt.Println("destroyed last:", last.Op, last.Key, last.Err)
	// Output:
	// create: <nil> [{{c c-1 p-1} ready} {{p p-1 } ready}]
	// delete: <nil> []
	// destroyed last: destroy p <nil>
}
