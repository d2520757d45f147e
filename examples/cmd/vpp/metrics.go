package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/examples/vpp"
)

// newMetrics returns a registry for one run's metrics, served at /metrics with -metrics: the
// controller's (vpp.WithMetrics: its syncs, its queue, its dataplane sessions), Go's runtime
// and the process; and the controller option that fills it.
func newMetrics() (*prometheus.Registry, vpp.Option) {
	reg := promhooks.NewRegistry()
	return reg, vpp.WithMetrics(reg)
}
