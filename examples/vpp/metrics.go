package vpp

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile"
)

// WithMetrics registers the controller's Prometheus series in reg, through promhooks: the sync
// loop as vpp_syncs_total by outcome, vpp_sync_duration_seconds and the vpp_queue_* series of
// its queue, and the dataplane's connection as vpp_dataplane_sessions_total, _losses_total,
// _dial_errors_total and _session_seconds. [New] returns the error of a name
// already registered. Without it the controller reports no metrics.
func WithMetrics(reg prometheus.Registerer) Option { return func(o *options) { o.metrics = reg } }

// metrics are the promhooks hooks of a controller; zero without [WithMetrics].
type metrics struct {
	queue reconcile.QueueHooks
	run   reconcile.Hooks
	conn  connctx.Hooks
}

// newMetrics registers c's series in reg; stats reads c's queue, made after it.
func (c *Controller) newMetrics(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	var err [3]error
	c.metrics.queue, err[0] = promhooks.Queue(reg, "vpp", func() reconcile.QueueStats { return c.queue.Stats() })
	c.metrics.run, err[1] = promhooks.Run(reg, "vpp")
	c.metrics.conn, err[2] = promhooks.Connctx(reg, "vpp_dataplane")
	for _, e := range err {
		if e != nil {
			return fmt.Errorf("vpp: metrics: %w", e)
		}
	}
	return nil
}

// call calls f(v) if f is set: a hook of the metrics, absent without WithMetrics.
func call[T any](f func(T), v T) {
	if f != nil {
		f(v)
	}
}
