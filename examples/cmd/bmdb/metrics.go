package main

import (
	"sync"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile"
)

// registry holds the program's metrics, served at /metrics with -metrics: the loops' syncs
// (bmdb_syncs_total by outcome and the other series of promhooks.Run), Go's runtime and the
// process.
var registry = promhooks.NewRegistry()

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
