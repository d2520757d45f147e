package vpp

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
)

// Option configures a [Controller].
type Option func(*options)

type options struct {
	log         *slog.Logger
	drift       time.Duration
	syncBackoff backoff.Policy
	checker     []CheckerOption
	ping        []connctx.ProbeOption
	supervise   []connctx.Option
	onSync      func(string, []Op)
	metrics     prometheus.Registerer
}

func defaultOptions() options {
	return options{
		log:         slog.New(slog.DiscardHandler),
		drift:       DefaultDriftInterval,
		syncBackoff: backoff.Policy{Initial: 10 * time.Millisecond, Max: 5 * time.Second},
	}
}

// WithLogger sets where the controller logs transitions, sessions and failed syncs (at Info
// and Warn) and every dataplane call (at Debug). The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithDriftInterval sets how often every frontend is synced without an event
// (default [DefaultDriftInterval]); zero or less turns the drift sync off.
func WithDriftInterval(d time.Duration) Option { return func(o *options) { o.drift = d } }

// WithSyncBackoff sets the per-frontend backoff after a failed sync (default 10 ms doubling
// up to 5 s).
func WithSyncBackoff(p backoff.Policy) Option { return func(o *options) { o.syncBackoff = p } }

// WithCheckerOptions passes options to the controller's [Checker] (a fake [Prober] in tests,
// more [OnTransition] hooks).
func WithCheckerOptions(opts ...CheckerOption) Option {
	return func(o *options) { o.checker = append(o.checker, opts...) }
}

// WithPingOptions passes options to [connctx.WithProbe], which pings the dataplane (interval,
// timeout, threshold; connctx's defaults otherwise: a dataplane is declared lost after about
// 9 s without an answer).
func WithPingOptions(opts ...connctx.ProbeOption) Option {
	return func(o *options) { o.ping = append(o.ping, opts...) }
}

// WithSuperviseOptions passes options to [connctx.Supervise] (dial and restart policies).
// Hooks given this way (OnConnected, OnLost, OnDialError) replace the controller's logging.
func WithSuperviseOptions(opts ...connctx.Option) Option {
	return func(o *options) { o.supervise = append(o.supervise, opts...) }
}

// OnSync calls fn after every successful sync of a frontend, with the dataplane calls it made
// (none when the dataplane was already right), on the sync's goroutine.
func OnSync(fn func(frontend string, ops []Op)) Option { return func(o *options) { o.onSync = fn } }
