package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/lbaas"
	"github.com/steadfast-go/steadfast/reconcile"
)

// demo plays the scripted scenario against an embedded, faulty API and checks every result.
func demo(ctx context.Context, faults lbaas.Faults) error {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}})))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, svc, err := newDemo(ctx, faults)
	if err != nil {
		return err
	}
	if err := d.step(ctx, "converge from empty", svc); err != nil {
		return err
	}
	svc.Nodes = []lbaas.Node{svc.Nodes[0], svc.Nodes[2], {Name: "node-d", Address: "10.0.0.4"}}
	if err := d.step(ctx, "node-b leaves, node-d joins", svc); err != nil {
		return err
	}
	fe, err := d.find("fe-https")
	if err != nil {
		return err
	}
	if err := d.api.SetState(fe.Identifier, lbaas.StateError); err != nil {
		return err
	}
	if err := d.step(ctx, "frontend fe-https turned failed", svc); err != nil {
		return err
	}
	fmt.Printf("\nall steps converged; the API saw %d mutating calls: %v\n", d.api.MutatingCalls(), d.api.Calls())
	return nil
}

// newDemo serves an embedded API with faults until ctx ends, puts a load balancer on it, and
// returns a demo run with a client for it and the service to reconcile.
func newDemo(ctx context.Context, faults lbaas.Faults) (*demoRun, lbaas.Service, error) {
	api := lbaas.NewServer(faults, "demo-token")
	url, err := serve(ctx, api)
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	fmt.Printf("embedded LBaaS API on %s: provisioning takes %v, %.0f%% of creates fail, %.0f%% stay stuck, %.0f%% of answers are 503, %.0f%% hang\n",
		url, faults.ProvisionDelay, faults.FailRate*100, faults.StuckRate*100, faults.ServerErrorRate*100, faults.SlowRate*100)
	lb, err := api.Put(lbaas.Resource{Kind: lbaas.KindLoadBalancer, Name: "lb-demo"})
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	c, err := lbaas.NewClient(url, "demo-token", backoff.Policy{Initial: 20 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}, 300*time.Millisecond)
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	svc := lbaas.Service{UID: "3f9c", LoadBalancer: lb,
		Ports:       []lbaas.Port{{Name: "http", External: 80, Internal: 30080}, {Name: "https", External: 443, Internal: 30443}},
		ExternalIPs: []string{"192.0.2.10", "2001:db8::10"},
		Nodes:       []lbaas.Node{{Name: "node-a", Address: "10.0.0.1"}, {Name: "node-b", Address: "10.0.0.2"}, {Name: "node-c", Address: "10.0.0.3"}},
	}
	return &demoRun{api: api, c: c}, svc, nil
}

type demoRun struct {
	api *lbaas.Server
	c   *lbaas.Client
	n   int
}

// step reconciles svc, then checks that exactly its resources exist, all ready, and that a
// second run changes nothing.
func (d *demoRun) step(ctx context.Context, title string, svc lbaas.Service) error {
	d.n++
	fmt.Printf("\n== step %d: %s\n", d.n, title)
	r, err := lbaas.NewReconciler(d.c, svc, append(hooks(),
		reconcile.WithReadyPolicy(backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}),
		reconcile.WithReconcileRetryPolicy(backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}),
		reconcile.WithReplaceLimit(8), reconcile.WithReconcileBudget(2*time.Minute))...)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := r.Reconcile(ctx); err != nil {
		return fmt.Errorf("step %d: %w", d.n, err)
	}
	fmt.Printf("converged in %v\n", time.Since(start).Round(time.Millisecond))
	if err := printStatus(ctx, r); err != nil {
		return err
	}
	return d.check(ctx, r, svc)
}

// check compares the API's resources with what svc asks for.
func (d *demoRun) check(ctx context.Context, r *lbaas.Reconciler, svc lbaas.Service) error {
	want := map[lbaas.Kind]int{lbaas.KindBackend: len(svc.Ports), lbaas.KindFrontend: len(svc.Ports),
		lbaas.KindBind: len(svc.Ports) * len(svc.ExternalIPs), lbaas.KindServer: len(svc.Ports) * len(svc.Nodes)}
	got := map[lbaas.Kind]int{}
	for _, res := range d.api.Resources() {
		if res.Kind != lbaas.KindLoadBalancer {
			got[res.Kind]++
			if res.State != lbaas.StateOK {
				return fmt.Errorf("check: %v is %s, not ok", res, res.State)
			}
		}
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("check: resources by kind %v, want %v", got, want)
	}
	plan, err := r.Plan(ctx)
	if err != nil {
		return err
	}
	if !plan.Empty() {
		return fmt.Errorf("check: converged, yet the plan says:\n%v", plan)
	}
	fmt.Printf("check: %v resources, all ok, nothing left to do\n", got)
	return nil
}

// find returns the resource of the given name on the embedded API.
func (d *demoRun) find(name string) (lbaas.Resource, error) {
	for _, r := range d.api.Resources() {
		if r.Name == name {
			return r, nil
		}
	}
	return lbaas.Resource{}, fmt.Errorf("no resource %s", name)
}
