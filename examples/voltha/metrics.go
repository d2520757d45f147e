package voltha

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/watch"
)

// metrics are the daemon's Prometheus series, in its own registry: the library's through
// promhooks (voltha_watch_* by resource; voltha_router_sessions_total, _losses_total,
// _dial_errors_total, _session_seconds; the sessions' work loop as voltha_router_syncs_total by
// outcome and voltha_router_queue_*), and the daemon's own counters below.
type metrics struct {
	reg    *prometheus.Registry
	watch  watch.Hooks
	router connctx.Hooks
	queue  reconcile.QueueHooks
	run    reconcile.Hooks
	// session is the running session's queue, for the queue gauges; nil between sessions.
	session atomic.Pointer[reconcile.Queue[struct{}]]

	syncs, syncErrors, calls, queryErrors, discoveries, handBacks prometheus.Counter
}

func newMetrics(healthy func() bool) (*metrics, error) {
	m := &metrics{reg: prometheus.NewRegistry()}
	var err [4]error
	m.watch, err[0] = promhooks.Watch(m.reg, "voltha")
	m.router, err[1] = promhooks.Connctx(m.reg, "voltha_router")
	m.queue, err[2] = promhooks.Queue(m.reg, "voltha_router", m.queueStats)
	m.run, err[3] = promhooks.Run(m.reg, "voltha_router")
	for _, e := range err {
		if e != nil {
			return nil, e
		}
	}
	c := func(name, help string) prometheus.Counter {
		ctr := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		m.reg.MustRegister(ctr) // names of this package's own, registered once in a new registry
		return ctr
	}
	m.syncs = c("voltha_syncs_total", "Pushes to the router that succeeded (full or incremental).")
	m.syncErrors = c("voltha_sync_errors_total", "Pushes to the router that failed and ended their session.")
	m.calls = c("voltha_router_calls_total", "SetConnection and SetAffinity calls made.")
	m.queryErrors = c("voltha_core_query_errors_total", "Calls to cores (ListDeviceIds, ReconcileDevices) that failed or timed out.")
	m.discoveries = c("voltha_discoveries_total", "Device discovery events handled.")
	m.handBacks = c("voltha_core_handbacks_total", "ReconcileDevices calls that handed a restarted core its devices back.")
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "voltha_healthy", Help: "1 when /healthz answers 200."},
		func() float64 {
			if healthy() {
				return 1
			}
			return 0
		}))
	return m, nil
}

func (m *metrics) queueStats() reconcile.QueueStats {
	if q := m.session.Load(); q != nil {
		return q.Stats()
	}
	return reconcile.QueueStats{}
}
