package converge

import (
	"time"

	"github.com/steadfast-go/steadfast/internal/hookset"

	"github.com/steadfast-go/steadfast/backoff"
)

// Defaults of a [Reconciler]'s options.
const (
	// DefaultParallelism is how many engine calls run at once by default.
	DefaultParallelism = 16
	// DefaultBudget bounds one Reconcile call by default.
	DefaultBudget = 15 * time.Minute
	// DefaultReplaceLimit is how many times a resource may fail by default.
	DefaultReplaceLimit = 3
)

// Option configures a [Reconciler]; pass them to [New].
type Option func(*options)

type options struct {
	parallelism  int
	budget       time.Duration
	ready, retry backoff.Policy
	replaceLimit int
	hooks        Hooks
}

func defaultOptions() options {
	return options{
		parallelism:  DefaultParallelism,
		budget:       DefaultBudget,
		replaceLimit: DefaultReplaceLimit,
	}
}

// The hooks are called through these, so that a nil hook is absent.

func (o *options) created(key string, err error) {
	if o.hooks.OnCreate != nil {
		o.hooks.OnCreate(key, err)
	}
}

func (o *options) destroyed(key string, err error) {
	if o.hooks.OnDestroy != nil {
		o.hooks.OnDestroy(key, err)
	}
}

func (o *options) waited(w WaitInfo) {
	if o.hooks.OnWait != nil {
		o.hooks.OnWait(w)
	}
}

func (o *options) passed(p PassInfo) {
	if o.hooks.OnPass != nil {
		o.hooks.OnPass(p)
	}
}

// WithParallelism bounds how many engine calls (creates, destroys, refreshes) run at
// once; n below 1 means 1. The default is [DefaultParallelism].
func WithParallelism(n int) Option {
	return func(o *options) { o.parallelism = max(n, 1) }
}

// WithBudget bounds one [Reconciler.Reconcile] call: when d has passed, it stops and
// returns an error matching [ErrBudgetExhausted]. Zero or a negative d means
// [DefaultBudget]; backoff.Forever means no budget (the caller's context alone bounds
// it).
func WithBudget(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.budget = d
		}
	}
}

// WithReadyPolicy sets how the reconciler waits for pending resources to become ready: it
// waits a delay of p, refreshes every pending resource, and repeats until none is pending or
// p says stop (then Reconcile returns a [StuckError] matching [ErrNotReady]). It is also the
// wait for destroyed resources that are still observed: a delay of p before each pass that
// observes them again, until they are gone or p says stop (then a StuckError matching
// [ErrNoProgress]). The default is the
// zero backoff.Policy, whose defaults suit an external API. Reconcile reports an invalid p.
func WithReadyPolicy(p backoff.Policy) Option {
	return func(o *options) { o.ready = p }
}

// WithRetryPolicy sets the delays between rounds that failed: between destroy rounds,
// after a round of creates of which some returned an error, after a failed observe. A
// backoff.RetryAfter hint in an engine or observer error lengthens the delay to the hint. The
// schedule resets after a round without failure; when p says stop, Reconcile returns a
// *backoff.ExhaustedError with p's reason. The default is the zero backoff.Policy. Reconcile
// reports an invalid p.
func WithRetryPolicy(p backoff.Policy) Option {
	return func(o *options) { o.retry = p }
}

// WithReplaceLimit sets how many times one resource (by key) may fail within one Reconcile
// call, counted across all its passes, before Reconcile gives up on it with a [StuckError]
// matching [ErrReplaceLimit]. A failure is a create call that returned an error, or a resource
// the call created that is found in [PhaseFailed], by the wait after its create or by a later
// pass's observe, counted once per creation (it is destroyed and created again). A resource
// found failed that the call did not create is replaced without counting. n below 1 means 1. The default is [DefaultReplaceLimit].
func WithReplaceLimit(n int) Option {
	return func(o *options) { o.replaceLimit = max(n, 1) }
}

// Hooks are the functions a [Reconciler] calls to report each engine call, wait and pass, for
// metrics and logs. Each is optional: a nil field is absent, and the zero Hooks reports
// nothing.
type Hooks struct {
	// OnCreate is called after each create call with the resource's key and the call's error.
	// It is called from several goroutines at once and must be safe for concurrent use.
	OnCreate func(key string, err error)
	// OnDestroy is called after each destroy call with the resource's key and the call's
	// error. It is called from several goroutines at once and must be safe for concurrent use.
	OnDestroy func(key string, err error)
	// OnWait is called before each wait for pending resources, from the goroutine that called
	// Reconcile.
	OnWait func(WaitInfo)
	// OnPass is called after each pass's plan is made, the last, empty one included, from the
	// goroutine that called Reconcile.
	OnPass func(PassInfo)
}

// WithHooks sets the functions the Reconciler calls to report what it does. Several WithHooks
// combine: each non-nil field replaces the one set before it, and a nil field leaves it.
func WithHooks(h Hooks) Option {
	return func(o *options) {
		hookset.Combine(&o.hooks, h)
	}
}

// WaitInfo describes one wait for pending resources; [Hooks.OnWait] receives it.
type WaitInfo struct {
	Attempt int           // 1 for the first wait on these resources
	Pending int           // how many resources are still pending
	Delay   time.Duration // how long the reconciler waits before refreshing them
}

// PassInfo describes one pass's plan; [Hooks.OnPass] receives it.
type PassInfo struct {
	Pass    int // 1 for the first pass of a Reconcile call
	Failed  int // resources observed failed
	Pending int // resources observed pending
	Create  int // resources the steps plan to create
	Destroy int // resources the steps plan to destroy
	// Destroyed are resources this Reconcile call destroyed (the call returned nil) that are
	// still observed: waited for, and not counted in the other fields.
	Destroyed int
}
