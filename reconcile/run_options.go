package reconcile

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// RunOption configures [Run].
type RunOption func(*runConfig)

type runConfig struct {
	parallelism int
	limiter     *rate.Limiter
	resyncEvery time.Duration
	resyncList  any // func(context.Context) ([]K, error), checked against K by Run
	syncTimeout time.Duration
	hooks       any // RunHooks[K], checked against K by Run
}

// WithParallelism sets the number of workers, each syncing one key at a time. The default, and
// what zero or a negative n means, is 1.
func WithParallelism(n int) RunOption {
	return func(c *runConfig) { c.parallelism = n }
}

// WithRateLimit makes every worker wait for a token of l before it takes a key from the source,
// so that all workers together take at most l's rate of keys (with l's burst). A limiter may be
// shared between several Runs to bound them together. Nil means no limit, the default.
func WithRateLimit(l *rate.Limiter) RunOption {
	return func(c *runConfig) { c.limiter = l }
}

// WithResync makes Run call list when it starts and then about every interval (spread ±10% at
// random, so that many controllers started together do not list together), and pass every key
// list returns to the source's Resync ([SourceResyncer]): the same path as every other key, at
// low priority, so that keys added by events are never starved by a resync. A list error is
// reported to [RunHooks.Resynced] and the next resync happens as scheduled. Run returns an error
// at once if the source is not a SourceResyncer[K] or list's K is not Run's. An interval of zero
// or less turns resync off.
func WithResync[K comparable](interval time.Duration, list func(ctx context.Context) ([]K, error)) RunOption {
	return func(c *runConfig) { c.resyncEvery, c.resyncList = interval, list }
}

// WithSyncTimeout gives each sync a context that ends after d with cause [ErrSyncTimeout]; the
// sync's error then counts as a failure ([OutcomeRetry]) unless it says otherwise. Zero or a
// negative d means no timeout, the default.
func WithSyncTimeout(d time.Duration) RunOption {
	return func(c *runConfig) { c.syncTimeout = d }
}

// WithRunHooks sets functions Run calls as it works, for metrics and logs. Run returns an error
// at once if h's K is not Run's.
func WithRunHooks[K comparable](h RunHooks[K]) RunOption {
	return func(c *runConfig) { c.hooks = h }
}

// RunHooks are the functions [Run] calls to report what it does. Each is optional. They are
// called on Run's goroutines, concurrently for different keys, and must not block for long: a
// sync's hooks delay that worker.
type RunHooks[K comparable] struct {
	// SyncStart is called before each sync of key.
	SyncStart func(key K)
	// SyncEnd is called after each sync of key, with its duration and outcome, before the
	// outcome is reported to the source.
	SyncEnd func(key K, took time.Duration, o Outcome)
	// Dropped is called when a sync of key returned a backoff.Permanent error, with the error
	// inside it, after SyncEnd.
	Dropped func(key K, err error)
	// ReportFailed is called when the source's Done returned an error for key.
	ReportFailed func(key K, err error)
	// Resynced is called after each resync with the number of keys passed to the source and
	// the error of list or of the source's Resync, if any.
	Resynced func(keys int, err error)
}
