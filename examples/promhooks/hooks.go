package promhooks

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/watch"
)

// Backoff registers <prefix>_retries_total, the failed attempts backoff.Retry retried, and
// returns the backoff.Hooks that count them.
func Backoff(reg prometheus.Registerer, prefix string) (backoff.Hooks, error) {
	retries := counter(prefix+"_retries_total", "Failed attempts that were retried.")
	if err := register(reg, retries); err != nil {
		return backoff.Hooks{}, err
	}
	return backoff.Hooks{OnRetry: func(backoff.Retrying) { retries.Inc() }}, nil
}

// Watch registers <prefix>_watch_restarts_total, _watch_relists_total and
// _watch_giveups_total, each by resource, and returns the watch.Hooks that count them.
func Watch(reg prometheus.Registerer, prefix string) (watch.Hooks, error) {
	restarts := counterVec(prefix+"_watch_restarts_total", "Watch streams re-opened, by resource.", "resource")
	relists := counterVec(prefix+"_watch_relists_total", "Relists after 410 Gone, by resource.", "resource")
	giveUps := counterVec(prefix+"_watch_giveups_total", "Resources the watcher gave up on.", "resource")
	if err := register(reg, restarts, relists, giveUps); err != nil {
		return watch.Hooks{}, err
	}
	return watch.Hooks{
		OnRestart: func(r watch.Restart) { restarts.WithLabelValues(r.Resource).Inc() },
		OnRelist:  func(r watch.Relist) { relists.WithLabelValues(r.Resource).Inc() },
		OnGiveUp:  func(e *watch.GiveUpError) { giveUps.WithLabelValues(e.Resource).Inc() },
	}, nil
}

// Connctx registers <prefix>_sessions_total, _losses_total, _dial_errors_total and
// _session_seconds (a histogram of how long sessions lasted), and returns the connctx.Hooks
// that feed them.
func Connctx(reg prometheus.Registerer, prefix string) (connctx.Hooks, error) {
	sessions := counter(prefix+"_sessions_total", "Sessions started.")
	losses := counter(prefix+"_losses_total", "Sessions that ended.")
	dialErrors := counter(prefix+"_dial_errors_total", "Failed dials that were retried.")
	uptime := histogram(prefix+"_session_seconds", "How long sessions lasted.", prometheus.ExponentialBuckets(0.1, 4, 10))
	if err := register(reg, sessions, losses, dialErrors, uptime); err != nil {
		return connctx.Hooks{}, err
	}
	return connctx.Hooks{
		OnConnected: func(connctx.Connected) { sessions.Inc() },
		OnLost:      func(l connctx.Lost) { losses.Inc(); uptime.Observe(l.Uptime.Seconds()) },
		OnDialError: func(backoff.Retrying) { dialErrors.Inc() },
	}, nil
}

// Run registers <prefix>_syncs_total by outcome (done, retry, retry-after, dropped, requeue,
// as reconcile.OutcomeKind names them), _sync_duration_seconds, _report_errors_total (a source's
// Done that failed) and _resyncs_total by result (ok, error), and returns the reconcile.Hooks
// that feed them.
func Run(reg prometheus.Registerer, prefix string) (reconcile.Hooks, error) {
	syncs := counterVec(prefix+"_syncs_total", "Syncs, by outcome.", "outcome")
	took := histogram(prefix+"_sync_duration_seconds", "How long syncs took.", prometheus.DefBuckets)
	reports := counter(prefix+"_report_errors_total", "Outcomes the source failed to record.")
	resyncs := counterVec(prefix+"_resyncs_total", "Resyncs, by result.", "result")
	if err := register(reg, syncs, took, reports, resyncs); err != nil {
		return reconcile.Hooks{}, err
	}
	return reconcile.Hooks{
		OnSyncEnd: func(_ any, d time.Duration, o reconcile.Outcome) {
			syncs.WithLabelValues(o.Kind.String()).Inc()
			took.Observe(d.Seconds())
		},
		OnReportFailed: func(any, error) { reports.Inc() },
		OnResynced:     func(_ int, err error) { resyncs.WithLabelValues(result(err)).Inc() },
	}, nil
}

// Queue registers what client-go's workqueue reports, under <prefix>_queue_: adds_total,
// retries_total, latency_seconds (how long keys were queued before a Get), work_duration_seconds
// (from Get to Done), and, read from stats when scraped unless stats is nil, the gauges depth,
// waiting, in_flight, longest_running_seconds and unfinished_work_seconds. It returns the
// reconcile.QueueHooks that feed the counters and histograms; pass them with
// reconcile.WithQueueHooks.
func Queue(reg prometheus.Registerer, prefix string, stats func() reconcile.QueueStats) (reconcile.QueueHooks, error) {
	p := prefix + "_queue_"
	adds := counter(p+"adds_total", "Adds the queue accepted.")
	retries := counter(p+"retries_total", "Retries the queue scheduled.")
	latency := histogram(p+"latency_seconds", "How long keys were queued before a worker took them.", prometheus.ExponentialBuckets(1e-5, 10, 9))
	work := histogram(p+"work_duration_seconds", "How long keys were processed.", prometheus.ExponentialBuckets(1e-5, 10, 9))
	cs := []prometheus.Collector{adds, retries, latency, work}
	if stats != nil {
		cs = append(cs, statsCollector{p, stats})
	}
	if err := register(reg, cs...); err != nil {
		return reconcile.QueueHooks{}, err
	}
	return reconcile.QueueHooks{
		OnAdd:   adds.Inc,
		OnGet:   func(d time.Duration) { latency.Observe(d.Seconds()) },
		OnDone:  func(d time.Duration, _ reconcile.Outcome) { work.Observe(d.Seconds()) },
		OnRetry: retries.Inc,
	}, nil
}

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

func counterVec(name, help, label string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
}

func histogram(name, help string, buckets []float64) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
}

// register registers every collector, or none: on an error it unregisters those it registered.
func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	if reg == nil {
		return errors.New("promhooks: nil Registerer")
	}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return err
		}
	}
	return nil
}
