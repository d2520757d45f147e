package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/lbaas"
	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// demo plays the scripted scenario against an embedded, faulty Engine and checks every result.
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
	if err := d.again(ctx, svc); err != nil {
		return err
	}
	svc.Nodes = []lbaas.Node{svc.Nodes[0], svc.Nodes[2], {Name: "node-d", Address: "10.0.0.4"}}
	if err := d.step(ctx, "node-b leaves, node-d joins", svc); err != nil {
		return err
	}
	fe, err := d.find(lbaas.KindFrontend, "https."+svc.NameSuffix)
	if err != nil {
		return err
	}
	if err := d.api.SetState(fe.Identifier, lbaas.StateDeploymentError); err != nil {
		return err
	}
	if err := d.step(ctx, "frontend https turned DeploymentError", svc); err != nil {
		return err
	}
	if err := d.leftovers(ctx, &svc); err != nil {
		return err
	}
	fmt.Printf("\nall steps converged; the Engine carried out %d mutating calls: %v\ninjected faults: %v\n",
		d.api.MutatingCalls(), d.api.Calls(), d.api.Faulted())
	return nil
}

// again runs a converged service once more: nothing to do, exactly one of each resource.
func (d *demoRun) again(ctx context.Context, svc lbaas.Service) error {
	before := d.api.MutatingCalls()
	if err := d.step(ctx, "run again: nothing to do", svc); err != nil {
		return err
	}
	if n := d.api.MutatingCalls() - before; n != 0 {
		return fmt.Errorf("the second run made %d mutating calls, want 0", n)
	}
	fmt.Println("the second run made no mutating call")
	return nil
}

// leftovers plays what an earlier run and someone else left: a server created for node-e
// whose answer was lost (so never tagged), and a virtual machine carrying the service's tag.
func (d *demoRun) leftovers(ctx context.Context, svc *lbaas.Service) error {
	be, err := d.find(lbaas.KindBackend, "http."+svc.NameSuffix)
	if err != nil {
		return err
	}
	svc.Nodes = append(svc.Nodes, lbaas.Node{Name: "node-e", Address: "10.0.0.5"})
	orphan, err := d.api.Put(lbaas.Resource{Kind: lbaas.KindServer, Name: "node-e.http." + svc.NameSuffix, Backend: be.Identifier,
		Address: "10.0.0.5", Port: 30080, Check: "enabled"})
	if err != nil {
		return err
	}
	d.api.PutForeign("vm-7", "8c9f0e1d2a3b4c5d6e7f8091a2b3c4d5", "Virtual Machine", svc.Tag())
	if err := d.step(ctx, "node-e joins; a lost create left its http server untagged; a VM carries our tag", *svc); err != nil {
		return err
	}
	if !slices.Contains(d.api.Tags(orphan), svc.Tag()) {
		return fmt.Errorf("the untagged server %s was not adopted", orphan)
	}
	fmt.Printf("the untagged server %s was adopted, not made again; the VM was skipped\n", orphan)
	return nil
}

// newDemo serves an embedded Engine with faults until ctx ends, puts a load balancer on it,
// and returns a demo run with a client for it and the service to reconcile.
func newDemo(ctx context.Context, faults lbaas.Faults) (*demoRun, lbaas.Service, error) {
	api := lbaas.NewServer(faults, "demo-token")
	url, err := serve(ctx, api)
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	fmt.Printf("embedded Engine on %s: provisioning takes %v, %.0f%% of creates fail, %.0f%% stay stuck, "+
		"%.0f%% of answers are 503, %.0f%% stall, %.0f%% of changes are made and then answered 503, %.0f%% made and never answered, "+
		"overlapping tags conflict: %v\n", url, faults.ProvisionDelay, faults.FailRate*100, faults.StuckRate*100,
		faults.ServerErrorRate*100, faults.SlowRate*100, faults.ActThenFailRate*100, faults.ActThenHangRate*100, faults.TagConflicts)
	lb, err := api.Put(lbaas.Resource{Kind: lbaas.KindLoadBalancer, Name: "lb-demo"})
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	c, err := lbaas.NewClient(url, "demo-token", backoff.Policy{Initial: 20 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}, 300*time.Millisecond)
	if err != nil {
		return nil, lbaas.Service{}, err
	}
	svc := lbaas.Service{UID: "3f9c", LoadBalancer: lb, NameSuffix: "web.default.demo",
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

// step reconciles svc, then checks that exactly its resources exist, all ready and tagged.
func (d *demoRun) step(ctx context.Context, title string, svc lbaas.Service) error {
	d.n++
	fmt.Printf("\n== step %d: %s\n", d.n, title)
	r, err := lbaas.New(d.c, svc, lbaas.WithLogger(slog.Default()), lbaas.WithReconcilerOptions(append(hooks(),
		converge.WithReadyPolicy(backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}),
		converge.WithRetryPolicy(backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}),
		converge.WithReplaceLimit(8), converge.WithBudget(2*time.Minute))...))
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

// check compares the Engine's resources with what svc asks for: exactly one of each, every one
// Deployed and tagged for svc, and nothing left to do.
func (d *demoRun) check(ctx context.Context, r *lbaas.Reconciler, svc lbaas.Service) error {
	want := map[lbaas.Kind]int{lbaas.KindBackend: len(svc.Ports), lbaas.KindFrontend: len(svc.Ports),
		lbaas.KindBind: len(svc.Ports) * len(svc.ExternalIPs), lbaas.KindServer: len(svc.Ports) * len(svc.Nodes)}
	got := map[lbaas.Kind]int{}
	for _, res := range d.api.Resources() {
		if res.Kind == lbaas.KindLoadBalancer {
			continue
		}
		got[res.Kind]++
		if res.State.Phase() != converge.PhaseReady {
			return fmt.Errorf("check: %v is %v, not ready", res, res.State)
		}
		if !slices.Contains(d.api.Tags(res.Identifier), svc.Tag()) {
			return fmt.Errorf("check: %v (%s) is not tagged %s", res, res.Identifier, svc.Tag())
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
	fmt.Printf("check: %v resources, exactly one of each, all ready and tagged, nothing left to do\n", got)
	return nil
}

// find returns the resource of the given kind and name on the embedded Engine.
func (d *demoRun) find(k lbaas.Kind, name string) (lbaas.Resource, error) {
	for _, r := range d.api.Resources() {
		if r.Kind == k && r.Name == name {
			return r, nil
		}
	}
	return lbaas.Resource{}, fmt.Errorf("no %s %s", k, name)
}
