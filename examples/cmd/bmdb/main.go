// Command bmdb runs the BMDB control loops (provision, initialize, recover) over machines in a
// database, against a simulated provider with latency and failures, shows progress while it
// runs and checks the result at the end: every machine ready, and the history shows each
// machine provisioned and initialized exactly once, and no side effect repeated at the provider.
// It exits 1 if the result is wrong. -rate bounds the work items taken per second, -query-rate
// the claims, the queries for work that load the database.
//
// By default it uses a SQLite file in a temporary directory. With -db postgres://... several
// processes, on several machines, share the work: run the same command in each.
//
//	go run ./cmd/bmdb
//	go run ./cmd/bmdb -db 'postgres://postgres@127.0.0.1:5432/bmdb?sslmode=disable' -machines 1000
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile"
)

type config struct {
	dsn                        string
	machines, workers          int
	rate, queryRate            float64
	latency, ttl, timeout      time.Duration
	failRate, busyRate, broken float64
	seed                       uint64
	metrics                    string // address of /metrics; empty: none
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "db", "", "database: postgres://... or a SQLite file (default: a SQLite file in a temporary directory)")
	flag.IntVar(&c.machines, "machines", 300, "machines to seed (ids m0000...; existing ones are kept)")
	flag.IntVar(&c.workers, "workers", 8, "workers per control loop")
	flag.Float64Var(&c.rate, "rate", 400, "work items taken per second, all loops together")
	flag.Float64Var(&c.queryRate, "query-rate", 50, "claims (queries for work) per second, all loops together: what protects the database")
	flag.DurationVar(&c.latency, "latency", 15*time.Millisecond, "mean latency of a provider call")
	flag.Float64Var(&c.failRate, "fail", 0.15, "chance that a provider call fails")
	flag.Float64Var(&c.busyRate, "busy", 0.05, "chance that a provider call says busy, retry after its latency")
	flag.Float64Var(&c.broken, "broken", 0.05, "fraction of machines found broken at install, to recover")
	flag.DurationVar(&c.ttl, "ttl", 3*time.Second, "session and lease TTL")
	flag.DurationVar(&c.timeout, "timeout", 45*time.Second, "give up after this long")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the simulated provider")
	flag.StringVar(&c.metrics, "metrics", "", "serve Prometheus /metrics on this address (127.0.0.1:0: a free loopback port; empty: none)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, log); err != nil {
		log.Error("bmdb", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, log *slog.Logger) error {
	stopMetrics, err := promhooks.ServeFlag(ctx, c.metrics, registry, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	if c.dsn == "" {
		dir, err := os.MkdirTemp("", "bmdb-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.dsn = filepath.Join(dir, "bmdb.sqlite")
	}
	db, err := bmdb.Open(ctx, c.dsn, bmdb.WithTTL(c.ttl))
	if err != nil {
		return err
	}
	defer db.Close()
	ids := make([]string, c.machines)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%04d", i)
	}
	if err := db.AddMachines(ctx, bmdb.StageNew, ids...); err != nil {
		return err
	}
	log.Info("seeded", "db", db.Dialect(), "machines", c.machines, "workers_per_loop", c.workers, "rate", c.rate,
		"query_rate", c.queryRate)
	start := time.Now()
	prov := &bmdb.Provider{Latency: c.latency, FailRate: c.failRate, BusyRate: c.busyRate, BrokenRate: c.broken, Seed: c.seed}
	if err := work(ctx, db, prov, c, log); err != nil {
		return err
	}
	return summarize(ctx, db, prov, c, time.Since(start), log)
}

// work runs the loops in a session (a new one if it is lost) until every machine is ready or
// the timeout passes.
func work(ctx context.Context, db *bmdb.DB, prov *bmdb.Provider, c config, log *slog.Logger) error {
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, fmt.Errorf("not every machine ready after %v", c.timeout))
	defer cancel()
	queries := rate.NewLimiter(rate.Limit(c.queryRate), 3) // one claim per loop at once
	loops := bmdb.Loops(prov, bmdb.SourceBackoff(backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second}),
		bmdb.SourcePoll(50*time.Millisecond), bmdb.SourceQueryLimit(queries))
	limiter := rate.NewLimiter(rate.Limit(c.rate), c.workers)
	hooks := reconcile.Hooks{OnReportFailed: func(key any, err error) {
		l, _ := key.(bmdb.Lease)
		log.Warn("report refused", "machine", l.Machine, "process", l.Process, "err", err)
	}}
	allReady := false
	err := db.Serve(ctx, "bmdb-demo", func(ctx context.Context, sess *bmdb.Session) error {
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		var wg sync.WaitGroup
		// progress stops the loops once every machine is ready.
		wg.Go(func() { defer stop(); allReady = progress(ctx, db, c.machines, log) })
		err := bmdb.RunLoops(ctx, sess, loops, reconcile.WithParallelism(c.workers),
			reconcile.WithRateLimit(limiter), reconcile.WithHooks(metricHooks(hooks)))
		stop()
		wg.Wait()
		return err
	}, bmdb.SessionLogger(log))
	switch {
	case err != nil:
		return err
	case !allReady:
		return context.Cause(ctx)
	}
	return nil
}
