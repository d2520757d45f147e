// Command lbaas runs the LBaaS reconciler for one service. By default it runs against an
// embedded API on 127.0.0.1 that provisions slowly and injects faults (failed provisioning, 5xx
// answers, slow answers), and plays a demo: converge from empty, change the node set, turn a
// frontend failed, converge again, checking the result after each step. With -url it runs once
// against a real API (token from $LBAAS_TOKEN) for the service in -service (a JSON file).
package main

import (
	"context"
	"encoding/json"
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
	"github.com/steadfast-go/steadfast/reconcile"
)

// defaultFaults are the embedded API's faults in the demo.
var defaultFaults = lbaas.Faults{ProvisionDelay: 150 * time.Millisecond, FailRate: 0.1, ServerErrorRate: 0.1,
	SlowRate: 0.03, SlowDelay: 10 * time.Second, Seed: 1}

func main() {
	url := flag.String("url", "", "LBaaS API address; empty runs the demo against an embedded API")
	svcFile := flag.String("service", "", "the service as JSON (uid, load_balancer, ports, external_ips, nodes); required with -url")
	f := defaultFaults
	flag.Uint64Var(&f.Seed, "seed", f.Seed, "embedded API: seed of the fault draws")
	flag.DurationVar(&f.ProvisionDelay, "provision", f.ProvisionDelay, "embedded API: how long a created resource stays pending")
	flag.Float64Var(&f.FailRate, "fail", f.FailRate, "embedded API: fraction of creates that end in state error")
	flag.Float64Var(&f.StuckRate, "stuck", f.StuckRate, "embedded API: fraction of creates that stay pending forever")
	flag.Float64Var(&f.ServerErrorRate, "5xx", f.ServerErrorRate, "embedded API: fraction of answers that are 503")
	flag.Float64Var(&f.SlowRate, "slow", f.SlowRate, "embedded API: fraction of answers that hang for -slow-delay")
	flag.DurationVar(&f.SlowDelay, "slow-delay", f.SlowDelay, "embedded API: how long a slow answer hangs")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if *url == "" {
		err = demo(ctx, f)
	} else {
		err = once(ctx, *url, *svcFile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lbaas:", err)
		os.Exit(1)
	}
}

// once reconciles the service of file against the API at url and prints its status.
func once(ctx context.Context, url, file string) error {
	if file == "" {
		return errors.New("-service is required with -url")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var svc lbaas.Service
	if err := json.Unmarshal(data, &svc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	c, err := lbaas.NewClient(url, os.Getenv("LBAAS_TOKEN"), backoff.Policy{}, 30*time.Second)
	if err != nil {
		return err
	}
	r, err := lbaas.NewReconciler(c, svc, hooks()...)
	if err != nil {
		return err
	}
	if err := r.Reconcile(ctx); err != nil {
		return err
	}
	return printStatus(ctx, r)
}

// hooks print what each pass does.
func hooks() []reconcile.ReconcilerOption {
	return []reconcile.ReconcilerOption{
		reconcile.OnPass(func(p reconcile.PassInfo) {
			slog.Info("pass", "n", p.Pass, "failed", p.Failed, "pending", p.Pending, "create", p.Create, "destroy", p.Destroy)
		}),
		reconcile.OnCreate(func(key string, err error) { logCall("created", key, err) }),
		reconcile.OnDestroy(func(key string, err error) { logCall("destroyed", key, err) }),
		reconcile.OnWait(func(w reconcile.WaitInfo) {
			slog.Info("waiting for pending resources", "count", w.Pending, "attempt", w.Attempt, "delay", w.Delay.Round(time.Millisecond))
		}),
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
