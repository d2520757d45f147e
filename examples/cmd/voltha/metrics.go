package main

import (
	"context"
	"log/slog"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/examples/voltha"
)

// metricsAddr is the -metrics flag: where to serve the daemon's registry at /metrics besides
// -listen (in the demo, which serves -listen's endpoints on a port of its own, the only
// place); empty serves nothing more.
var metricsAddr string

// serveMetrics serves d's registry at metricsAddr until stop is called.
func serveMetrics(ctx context.Context, d *voltha.Daemon) (stop func(), err error) {
	return promhooks.ServeFlag(ctx, metricsAddr, d.Registry(), slog.Default())
}
