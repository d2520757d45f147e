// Command vpp runs the maglev-style controller of package examples/vpp on its embedded
// default: real HTTP backends on loopback addresses (127.0.0.11 and up, free ports), the health
// checker, the in-memory dataplane, and the operator view over HTTP on 127.0.0.1 only. A fixed
// script stops a backend, disables a pool to force failover, re-enables it, restarts the
// dataplane and starts the backend again, and after each step reads the operator view over
// HTTP until it is the expected one (and the dataplane agrees with it), then prints its text
// form (backend, pool, configured, effective and dataplane weight, state, since).
//
// It exits 0 when every step's view is the expected one, 1 otherwise; it runs in a few
// seconds. Logs (transitions, sessions) go to stderr; -v adds every dataplane call. With
// -hold it keeps running after the script, serving the view (-port picks its port) until
// interrupted:
//
//	cd examples && go run ./cmd/vpp
//	cd examples && go run ./cmd/vpp -hold -port 9090 &
//	curl 'http://127.0.0.1:9090/frontends/web?format=text'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"

	"github.com/steadfast-go/steadfast/examples/promhooks"
)

// options are the command's flags.
type options struct {
	port int  // of the operator view on 127.0.0.1; 0 for a free one
	hold bool // keep serving after the script until the context ends
	// metrics is the address of /metrics; empty: none.
	metrics string
}

func main() {
	verbose := flag.Bool("v", false, "log every dataplane call")
	var o options
	flag.IntVar(&o.port, "port", 0, "port of the operator view on 127.0.0.1 (0: a free port)")
	flag.BoolVar(&o.hold, "hold", false, "keep running after the script, serving the view, until interrupted")
	flag.StringVar(&o.metrics, "metrics", "", "serve Prometheus /metrics on this address (127.0.0.1:0: a free loopback port; empty: none)")
	flag.Parse()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, log, o); err != nil {
		fmt.Fprintln(os.Stderr, "vpp:", err)
		os.Exit(1)
	}
}

// run starts the backends, the controller and the view server, plays the script, holds if
// asked to, and stops everything.
func run(ctx context.Context, out io.Writer, log *slog.Logger, o options) error {
	backends, err := startBackends(demoBackends)
	if err != nil {
		return err
	}
	defer backends.stopAll()
	reg, withMetrics := newMetrics()
	stopMetrics, err := promhooks.ServeFlag(ctx, o.metrics, reg, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	d, err := newDemo(backends, out, log, withMetrics)
	if err != nil {
		return err
	}
	vs, err := startViewServer(ctx, o.port, d.ctl)
	if err != nil {
		return err
	}
	defer func() { _ = vs.stop() }() // on the error paths; the stop below reports
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	d.view = viewClient{base: vs.base, http: &http.Client{Transport: transport}}
	if err := d.runController(ctx, o.hold); err != nil {
		return err
	}
	return vs.stop()
}

// runController runs the controller while the script plays, and after it while hold is set,
// until ctx ends.
func (d *demo) runController(ctx context.Context, hold bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.ctl.Run(ctx) }()
	scriptErr := d.play(ctx)
	if hold && scriptErr == nil {
		fmt.Fprintln(d.out, "holding; interrupt to stop")
		<-ctx.Done()
	}
	cancel()
	if err := <-done; err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	return scriptErr
}
