package main

import (
	"sync"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// registry holds the program's metrics, served at /metrics with -metrics: the reconciler's
// calls and passes (lbaas_creates_total and _destroys_total by result, lbaas_waits_total,
// lbaas_passes_total), Go's runtime and the process.
var registry = promhooks.NewRegistry()

// convergeMetrics are the hooks that feed the reconciler's series, registered once; [hooks]
// calls them before it logs.
var convergeMetrics = sync.OnceValue(func() converge.Hooks {
	h, err := promhooks.Converge(registry, "lbaas")
	if err != nil {
		panic(err) // once, in a registry of this program's own: a clash is a bug here
	}
	return h
})
