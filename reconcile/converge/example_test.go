package converge_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// lbObject is a load balancer's part: a frontend, or a bind that needs its frontend.
type lbObject struct {
	Kind, Name, Frontend string
}

func (o lbObject) key() string { return o.Kind + "/" + o.Name }

// lbSteps plans the frontends, then the binds, of a load balancer that should have the
// frontends "http" and "https", each with one bind.
func lbSteps() []converge.Step[lbObject] {
	want := map[string][]lbObject{
		"frontend": {{Kind: "frontend", Name: "http"}, {Kind: "frontend", Name: "https"}},
		"bind":     {{Kind: "bind", Name: "http-80", Frontend: "http"}, {Kind: "bind", Name: "https-443", Frontend: "https"}},
	}
	step := func(kind string) converge.Step[lbObject] {
		return converge.NamedStep(kind+"s", converge.StepFunc[lbObject](
			func(_ context.Context, observed []converge.Observed[lbObject]) (converge.Changes[lbObject], error) {
				exists := map[string]bool{}
				for _, o := range observed {
					exists[o.Resource.key()] = true
				}
				var c converge.Changes[lbObject]
				for _, w := range want[kind] {
					parentThere := w.Frontend == "" || exists["frontend/"+w.Frontend]
					if !exists[w.key()] && parentThere {
						c.Create = append(c.Create, w)
					}
				}
				for _, o := range observed {
					if o.Resource.Kind == kind && !slices.Contains(want[kind], o.Resource) {
						c.Destroy = append(c.Destroy, o.Resource)
					}
				}
				return c, nil
			}))
	}
	return []converge.Step[lbObject]{step("frontend"), step("bind")}
}

// A dry run prints what the next pass would do: the binds wait until their frontends exist.
func ExampleReconciler_Plan() {
	system := convergetest.NewEngine(lbObject.key)
	system.Put(lbObject{Kind: "frontend", Name: "ftp"}, convergetest.PhaseScript{})
	r := converge.New(system, system, lbObject.key, lbSteps())

	plan, err := r.Plan(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plan)
	// Output:
	// frontends: create frontend/http, frontend/https; destroy frontend/ftp
}

// Reconcile destroys what should not be there, creates the rest level by level, and waits
// until each level is ready; the hooks count the calls. Run again, it changes nothing.
func ExampleReconciler_Reconcile() {
	system := convergetest.NewEngine(lbObject.key, convergetest.WithEngineScripts(
		func(string, int) convergetest.PhaseScript { return convergetest.PhaseScript{PendingRefreshes: 1} }))
	system.Put(lbObject{Kind: "frontend", Name: "ftp"}, convergetest.PhaseScript{})
	var creates, destroys atomic.Int32
	r := converge.New(system, system, lbObject.key, lbSteps(),
		converge.WithReadyPolicy(backoff.Policy{Initial: time.Millisecond, MaxElapsed: time.Second}),
		converge.WithHooks(converge.Hooks{OnCreate: func(string, error) { creates.Add(1) }}),
		converge.WithHooks(converge.Hooks{OnDestroy: func(string, error) { destroys.Add(1) }}))

	for range 2 {
		if err := r.Reconcile(context.Background()); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(system.Keys(), "creates:", creates.Load(), "destroys:", destroys.Load())
	}
	// Output:
	// [bind/http-80 bind/https-443 frontend/http frontend/https] creates: 4 destroys: 1
	// [bind/http-80 bind/https-443 frontend/http frontend/https] creates: 4 destroys: 1
}
