package lbaas

import (
	"log/slog"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Option configures a [Reconciler]; pass them to [New].
type Option func(*options)

type options struct {
	log       *slog.Logger
	reconcile []converge.Option
}

func defaultOptions() options {
	return options{log: slog.New(slog.DiscardHandler)}
}

// WithLogger sets where the reconciler reports, at Info, what it does beyond the step
// reconciler's hooks: resources it skips (a type it does not manage carrying the service's
// tag) and resources a lost create left behind, adopted or destroyed. A nil l is ignored; the
// default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithReconcilerOptions passes opts to the step reconciler (policies, parallelism, hooks).
func WithReconcilerOptions(opts ...converge.Option) Option {
	return func(o *options) { o.reconcile = append(o.reconcile, opts...) }
}
