// Command vpp runs the maglev-style controller of package examples/vpp on its embedded
// default: real HTTP backends on loopback addresses (127.0.0.11 and up, free ports), the health
// checker, and the in-memory dataplane. A fixed script stops a backend, disables a pool to
// force failover, re-enables it, restarts the dataplane and starts the backend again, and after
// each step prints the frontend table (backend, configured weight, effective weight, state).
//
// It exits 0 when every step's table is the expected one, 1 otherwise; it runs in a few
// seconds. Logs (transitions, sessions) go to stderr; -v adds every dataplane call.
//
//	cd examples && go run ./cmd/vpp
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
)

func main() {
	verbose := flag.Bool("v", false, "log every dataplane call")
	flag.Parse()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "vpp:", err)
		os.Exit(1)
	}
}

// run starts the backends and the controller, plays the script and stops everything.
func run(ctx context.Context, out io.Writer, log *slog.Logger) error {
	backends, err := startBackends(demoBackends)
	if err != nil {
		return err
	}
	defer backends.stopAll()
	d, err := newDemo(backends, out, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.ctl.Run(ctx) }()
	scriptErr := d.play(ctx)
	cancel()
	if err := <-done; err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	return scriptErr
}
