package reconcile

import (
	"context"
	"time"

	"github.com/steadfast-go/steadfast/internal/hookset"

	"golang.org/x/time/rate"
)

// RunOption configures [Run].
type RunOption func(*runConfig)

type runConfig struct {
	parallelism int
	limiter     *rate.Limiter
	resyncEvery time.Duration
	resync      func(context.Context) (int, error) // lists and re-adds every key
	syncTimeout time.Duration
	hooks       Hooks
}

// WithParallelism sets the number of workers, each syncing one key at a time. The default, and
// what zero or a negative n means, is 1.
func WithParallelism(n int) RunOption {
	return func(c *runConfig) { c.parallelism = n }
}

// WithRateLimit makes every worker wait for a token of l before it takes a key from the source,
// so that all workers together take at most l's rate of keys (with l's burst). A limiter may be
// shared between several Runs to bound them together. Nil means no limit, the default. A limiter
// with a burst below 1 (which never hands out a token) makes Run return an error at once.
func WithRateLimit(l *rate.Limiter) RunOption {
	return func(c *runConfig) { c.limiter = l }
}

// WithResync makes Run call list when it starts and then about every interval (spread ±10% at
// random, so that many controllers started together do not list together), and pass every key
// list returns to into's Resync ([SourceResyncer], normally the [Queue] Run takes keys from):
// the same path as every other key, at low priority, so that keys added by events are never
// starved by a resync. A list error is reported to [Hooks.OnResynced] and the next resync
// happens as scheduled. The compiler checks that list's keys are into's. An interval of zero or
// less, or a nil into or list, turns resync off.
func WithResync[K comparable](into SourceResyncer[K], interval time.Duration, list func(ctx context.Context) ([]K, error)) RunOption {
	return func(c *runConfig) {
		c.resyncEvery, c.resync = interval, nil
		if into != nil && list != nil {
			c.resync = func(ctx context.Context) (int, error) { return resyncOnce(ctx, into, list) }
		}
	}
}

// WithSyncTimeout gives each sync a context that ends after d with cause [ErrSyncTimeout]; the
// sync's error then counts as a failure ([OutcomeRetry]) unless it says otherwise. Zero or a
// negative d means no timeout, the default.
func WithSyncTimeout(d time.Duration) RunOption {
	return func(c *runConfig) { c.syncTimeout = d }
}

// WithHooks sets the functions Run calls to report what it does. Several WithHooks combine:
// each non-nil field replaces the one set before it, and a nil field leaves it.
func WithHooks(h Hooks) RunOption {
	return func(c *runConfig) {
		hookset.Combine(&c.hooks, h)
	}
}

// Hooks are the functions [Run] calls to report what it does, for metrics and logs, as every
// package of the library reports: a struct of optional functions set with [WithHooks]. A nil
// field is absent; the zero Hooks reports nothing. They are called on Run's goroutines,
// concurrently for different keys, and must not block for long: a sync's hooks delay that
// worker. Keys reach them as any, so that one Hooks value (a metrics adapter) serves Runs of
// every key type and the compiler has no option type to check against Run's; a hook that needs
// the key's own type asserts it.
type Hooks struct {
	// OnSyncStart is called before each sync of key.
	OnSyncStart func(key any)
	// OnSyncEnd is called after each sync of key, with its duration and outcome, before the
	// outcome is reported to the source.
	OnSyncEnd func(key any, took time.Duration, o Outcome)
	// OnDropped is called when a sync of key returned a backoff.Permanent error, with the
	// error inside it, after OnSyncEnd.
	OnDropped func(key any, err error)
	// OnReportFailed is called when the source's Done returned an error for key.
	OnReportFailed func(key any, err error)
	// OnResynced is called after each resync with the number of keys passed to the source and
	// the error of list or of the source's Resync, if any.
	OnResynced func(keys int, err error)
}
