package reconcile

import (
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Defaults of a [Reconciler]'s options.
const (
	// DefaultReconcileParallelism is how many engine calls run at once by default.
	DefaultReconcileParallelism = 16
	// DefaultReconcileBudget bounds one Reconcile call by default.
	DefaultReconcileBudget = 15 * time.Minute
	// DefaultReplaceLimit is how many times a resource may fail by default.
	DefaultReplaceLimit = 3
)

// ReconcilerOption configures a [Reconciler]; pass them to [NewReconciler].
type ReconcilerOption func(*reconcilerOptions)

type reconcilerOptions struct {
	parallelism  int
	budget       time.Duration
	ready, retry backoff.Policy
	replaceLimit int
	onCreate     func(key string, err error)
	onDestroy    func(key string, err error)
	onWait       func(WaitInfo)
	onPass       func(PassInfo)
}

func defaultReconcilerOptions() reconcilerOptions {
	return reconcilerOptions{
		parallelism:  DefaultReconcileParallelism,
		budget:       DefaultReconcileBudget,
		replaceLimit: DefaultReplaceLimit,
	}
}

// The hooks are called through these, so that a nil hook is absent.

func (o *reconcilerOptions) created(key string, err error) {
	if o.onCreate != nil {
		o.onCreate(key, err)
	}
}

func (o *reconcilerOptions) destroyed(key string, err error) {
	if o.onDestroy != nil {
		o.onDestroy(key, err)
	}
}

func (o *reconcilerOptions) waited(w WaitInfo) {
	if o.onWait != nil {
		o.onWait(w)
	}
}

func (o *reconcilerOptions) passed(p PassInfo) {
	if o.onPass != nil {
		o.onPass(p)
	}
}

// WithReconcileParallelism bounds how many engine calls (creates, destroys, refreshes) run at
// once; n below 1 means 1. The default is [DefaultReconcileParallelism].
func WithReconcileParallelism(n int) ReconcilerOption {
	return func(o *reconcilerOptions) { o.parallelism = max(n, 1) }
}

// WithReconcileBudget bounds one [Reconciler.Reconcile] call: when d has passed, it stops and
// returns an error matching [ErrBudgetExhausted]. Zero or a negative d means
// [DefaultReconcileBudget]; backoff.Forever means no budget (the caller's context alone bounds
// it).
func WithReconcileBudget(d time.Duration) ReconcilerOption {
	return func(o *reconcilerOptions) {
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
func WithReadyPolicy(p backoff.Policy) ReconcilerOption {
	return func(o *reconcilerOptions) { o.ready = p }
}

// WithReconcileRetryPolicy sets the delays between rounds that failed: between destroy rounds,
// after a round of creates of which some returned an error, after a failed observe. A
// backoff.RetryAfter hint in an engine or observer error lengthens the delay to the hint. The
// schedule resets after a round without failure; when p says stop, Reconcile returns a
// *backoff.ExhaustedError with p's reason. The default is the zero backoff.Policy. Reconcile
// reports an invalid p.
func WithReconcileRetryPolicy(p backoff.Policy) ReconcilerOption {
	return func(o *reconcilerOptions) { o.retry = p }
}

// WithReplaceLimit sets how many times one resource (by key) may fail within one Reconcile
// call, counted across all its passes, before Reconcile gives up on it with a [StuckError]
// matching [ErrReplaceLimit]. A failure is a create call that returned an error, or a resource
// the call created that is found in [PhaseFailed], by the wait after its create or by a later
// pass's observe, counted once per creation (it is destroyed and created again). A resource
// found failed that the call did not create is replaced without counting. n below 1 means 1. The default is [DefaultReplaceLimit].
func WithReplaceLimit(n int) ReconcilerOption {
	return func(o *reconcilerOptions) { o.replaceLimit = max(n, 1) }
}

// OnCreate calls fn after each create call with the resource's key and the call's error; a
// nil fn is no hook. fn is called from several goroutines at once and must be safe for
// concurrent use.
func OnCreate(fn func(key string, err error)) ReconcilerOption {
	return func(o *reconcilerOptions) { o.onCreate = fn }
}

// OnDestroy calls fn after each destroy call with the resource's key and the call's error; a
// nil fn is no hook. fn is called from several goroutines at once and must be safe for
// concurrent use.
func OnDestroy(fn func(key string, err error)) ReconcilerOption {
	return func(o *reconcilerOptions) { o.onDestroy = fn }
}

// OnWait calls fn before each wait for pending resources, from the goroutine that called
// Reconcile; a nil fn is no hook.
func OnWait(fn func(WaitInfo)) ReconcilerOption {
	return func(o *reconcilerOptions) { o.onWait = fn }
}

// OnPass calls fn after each pass's plan is made, the last, empty one included, from the
// goroutine that called Reconcile; a nil fn is no hook.
func OnPass(fn func(PassInfo)) ReconcilerOption {
	return func(o *reconcilerOptions) { o.onPass = fn }
}

// WaitInfo describes one wait for pending resources; [OnWait] receives it.
type WaitInfo struct {
	Attempt int           // 1 for the first wait on these resources
	Pending int           // how many resources are still pending
	Delay   time.Duration // how long the reconciler waits before refreshing them
}

// PassInfo describes one pass's plan; [OnPass] receives it.
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
