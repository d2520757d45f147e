// Command lbaas runs the LBaaS reconciler for one service. By default it runs against an
// embedded Engine on 127.0.0.1 that speaks the Engine's LBaaS and core API, provisions slowly
// and injects faults (failed provisioning, 5xx answers, stalls, creates carried out whose
// answer is lost, conflicting tags), and plays a demo: converge from empty, run again, change
// the node set, turn a frontend failed, adopt what a lost create left, checking the result
// after each step. With -url it runs once against that Engine (such as
// https://engine.anexia-it.com, token from $ANEXIA_TOKEN) for the service in -service (a JSON
// file); -dry-run prints the plan and changes nothing; -delete destroys what was made for the
// service.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/lbaas"
	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// defaultFaults are the embedded Engine's faults in the demo.
var defaultFaults = lbaas.Faults{ProvisionDelay: 150 * time.Millisecond, FailRate: 0.1, ServerErrorRate: 0.1,
	SlowRate: 0.03, SlowDelay: 10 * time.Second, ActThenFailRate: 0.05, ActThenHangRate: 0.02,
	TagConflicts: true, TagDelay: 2 * time.Millisecond, Seed: 1}

func main() {
	if os.Getenv(childEnv) == "1" { // a replica of -replicas
		os.Exit(replicaMain(os.Args[1:]))
	}
	url := flag.String("url", "", "Engine address, such as "+lbaas.DefaultURL+"; empty runs the demo against an embedded Engine")
	svcFile := flag.String("service", "", "the service as JSON (uid, load_balancer, name_suffix, ports, external_ips, nodes); required with -url")
	dryRun := flag.Bool("dry-run", false, "with -url: print what would be done, change nothing")
	del := flag.Bool("delete", false, "with -url: destroy everything made for the service on its load balancer")
	f := defaultFaults
	flag.Uint64Var(&f.Seed, "seed", f.Seed, "embedded Engine: seed of the fault draws")
	flag.DurationVar(&f.ProvisionDelay, "provision", f.ProvisionDelay, "embedded Engine: how long a created resource stays NewlyCreated")
	flag.Float64Var(&f.FailRate, "fail", f.FailRate, "embedded Engine: fraction of creates that end in DeploymentError")
	flag.Float64Var(&f.StuckRate, "stuck", f.StuckRate, "embedded Engine: fraction of creates that stay NewlyCreated forever")
	flag.Float64Var(&f.ServerErrorRate, "5xx", f.ServerErrorRate, "embedded Engine: fraction of answers that are 503, before acting")
	flag.Float64Var(&f.SlowRate, "slow", f.SlowRate, "embedded Engine: fraction of requests that stall for -slow-delay before acting")
	flag.DurationVar(&f.SlowDelay, "slow-delay", f.SlowDelay, "embedded Engine: how long a stall or a hung answer lasts")
	flag.Float64Var(&f.ActThenFailRate, "act-fail", f.ActThenFailRate, "embedded Engine: fraction of mutating requests carried out, then answered 503")
	flag.Float64Var(&f.ActThenHangRate, "act-hang", f.ActThenHangRate, "embedded Engine: fraction of mutating requests carried out, then never answered")
	flag.BoolVar(&f.TagConflicts, "tag-conflicts", f.TagConflicts, "embedded Engine: answer 409 to a tag request that overlaps another")
	metrics := flag.String("metrics", "", "serve Prometheus /metrics on this address (127.0.0.1:0: a free loopback port; empty: none)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	stopMetrics, err := promhooks.ServeFlag(ctx, *metrics, registry, slog.Default())
	if err != nil {
		fmt.Fprintln(os.Stderr, "lbaas:", err)
		os.Exit(1)
	}
	switch {
	case *replicasN > 0:
		err = replicasDemo(ctx, *replicasN, *replicasPG, *replicasLease)
	case *url == "":
		err = demo(ctx, f)
	default:
		err = once(ctx, *url, *svcFile, *dryRun, *del)
	}
	stopMetrics()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lbaas:", err)
		os.Exit(1)
	}
}

// once reconciles (or, dry, plans) the service of file, or with del the service deleted,
// against the Engine at url and prints its status.
func once(ctx context.Context, url, file string, dry, del bool) error {
	if file == "" {
		return errors.New("-service is required with -url")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	svc, err := lbaas.ParseService(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if del {
		svc = svc.Deleted()
	}
	token := os.Getenv("ANEXIA_TOKEN")
	if token == "" {
		return errors.New("$ANEXIA_TOKEN is empty: the Engine needs an API token")
	}
	c, err := lbaas.NewClient(url, token, backoff.Policy{}, 30*time.Second)
	if err != nil {
		return err
	}
	r, err := lbaas.New(c, svc, lbaas.WithLogger(slog.Default()), lbaas.WithReconcilerOptions(hooks()...))
	if err != nil {
		return err
	}
	if dry {
		plan, err := r.Plan(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("plan (nothing changed):\n%v\n", plan)
		return nil
	}
	if err := r.Reconcile(ctx); err != nil {
		return err
	}
	return printStatus(ctx, r)
}

// hooks print what each pass does.
func hooks() []converge.Option {
	return []converge.Option{
		converge.WithHooks(converge.Hooks{OnPass: func(p converge.PassInfo) {
			convergeMetrics().OnPass(p)
			slog.Info("pass", "n", p.Pass, "failed", p.Failed, "pending", p.Pending, "create", p.Create, "destroy", p.Destroy)
		}}),

		converge.WithHooks(converge.Hooks{OnCreate: func(key string, err error) { convergeMetrics().OnCreate(key, err); logCall("created", key, err) }}),
		converge.WithHooks(converge.Hooks{OnDestroy: func(key string, err error) { convergeMetrics().OnDestroy(key, err); logCall("destroyed", key, err) }}),
		converge.WithHooks(converge.Hooks{OnWait: func(w converge.WaitInfo) {
			convergeMetrics().OnWait(w)
			slog.Info("waiting for pending resources", "count", w.Pending, "attempt", w.Attempt, "delay", w.Delay.Round(time.Millisecond))
		}}),
	}
}

func logCall(what, key string, err error) {
	if err != nil {
		slog.Warn(what+" failed", "resource", key, "err", err)
		return
	}
	slog.Info(what, "resource", key)
}

func printStatus(ctx context.Context, r *lbaas.Reconciler) error {
	status, err := r.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Println("status (external IP: ports):")
	for _, ip := range slices.Sorted(maps.Keys(status)) {
		fmt.Printf("  %-15s %v\n", ip, status[ip])
	}
	return nil
}

// serve serves s on a free port of 127.0.0.1 until ctx ends, and returns its address.
func serve(ctx context.Context, s http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	return "http://" + ln.Addr().String(), nil
}
