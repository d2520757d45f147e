package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile"
)

// registry holds the program's metrics, served at /metrics with -metrics: the loops' syncs
// (bmdb_syncs_total by outcome and the other series of promhooks.Run) and Go's runtime.
var registry = prometheus.NewRegistry()

func init() { registry.MustRegister(collectors.NewGoCollector()) }

// startMetrics serves the registry at addr until the returned stop is called; with addr
// empty it serves nothing.
func startMetrics(ctx context.Context, addr string, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	bound, wait, err := promhooks.Start(ctx, addr, registry)
	if err != nil {
		cancel()
		return nil, err
	}
	log.Info("serving metrics", "url", "http://"+bound+"/metrics")
	return func() { cancel(); _ = wait() }, nil
}

// runMetrics are the hooks of the loops' metrics, registered once.
var runMetrics = sync.OnceValue(func() reconcile.Hooks {
	m, err := promhooks.Run(registry, "bmdb")
	if err != nil {
		panic(err) // once, in a registry of this program's own: a clash is a bug here
	}
	return m
})

// metricHooks are h with the loops' metrics: each field of h is called after the metric's.
func metricHooks(h reconcile.Hooks) reconcile.Hooks {
	m := runMetrics()
	if h.OnReportFailed != nil {
		count := m.OnReportFailed
		m.OnReportFailed = func(key any, err error) { count(key, err); h.OnReportFailed(key, err) }
	}
	return m
}
