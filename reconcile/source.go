package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Source is where [Run]'s workers take work and where they report how it went. The in-memory
// [Queue] is one; a database that hands out leases on rows is another.
//
// Get blocks until a key is available and returns it, or returns an error: [ErrShutdown] when
// the source will hand out nothing more (Run then stops quietly), ctx's cause when ctx ends, or
// any other error, which stops Run and is returned by it. A key returned by Get is owned by
// the caller until it passes the key to Done: the source must not hand the same key to another
// caller before that.
//
// Done reports the [Outcome] of processing key and releases it. Run calls Done exactly once
// for every key Get returned, also while it is stopping, with a context that is not cancelled
// when Run's context is (it carries the same values). An error from Done (a lease lost to
// another process, a database error) is reported to [Hooks.OnReportFailed]; the key counts
// as released either way.
//
// K is whatever a worker needs to know to do the work: a name, or for a leased source a
// comparable value that also carries the lease (a pointer, or a struct with a fencing token).
// Both methods must be safe for concurrent use.
type Source[K comparable] interface {
	Get(ctx context.Context) (K, error)
	Done(ctx context.Context, key K, o Outcome) error
}

// ShutDownNotifier is a [Source] that tells when it has shut down: ShutDownNotify returns a
// channel that is closed once Get hands out nothing more (it returns [ErrShutdown] from then
// on). [Run] learns of a shutdown from any Get that returns ErrShutdown; from a
// ShutDownNotifier it learns also while no worker is in Get (every worker waits for a token of
// [WithRateLimit], or syncs). [Queue] is one. ShutDownNotify must be safe for concurrent use
// and return the same channel every time.
type ShutDownNotifier interface {
	ShutDownNotify() <-chan struct{}
}

// SourceFuncs adapts a pair of functions to [Source]. A nil DoneFunc makes Done do nothing
// (for a source that learns what became of a key otherwise); GetFunc must not be nil.
type SourceFuncs[K comparable] struct {
	GetFunc  func(ctx context.Context) (K, error)
	DoneFunc func(ctx context.Context, key K, o Outcome) error
}

var _ Source[string] = SourceFuncs[string]{}

// Get calls GetFunc.
func (f SourceFuncs[K]) Get(ctx context.Context) (K, error) { return f.GetFunc(ctx) }

// Done calls DoneFunc, if it is set.
func (f SourceFuncs[K]) Done(ctx context.Context, key K, o Outcome) error {
	if f.DoneFunc == nil {
		return nil
	}
	return f.DoneFunc(ctx, key, o)
}

// Sync is the one sync path: it makes the world right for one key. See [Outcome] for what its
// error means. Run calls Sync concurrently for different keys, never for the same key at once
// (as long as the [Source] keeps its contract).
type Sync[K comparable] interface {
	Sync(ctx context.Context, key K) error
}

// SyncFunc adapts a function to [Sync].
type SyncFunc[K comparable] func(ctx context.Context, key K) error

var _ Sync[string] = SyncFunc[string](nil)

// Sync calls f(ctx, key).
func (f SyncFunc[K]) Sync(ctx context.Context, key K) error { return f(ctx, key) }

// OutcomeKind says what becomes of a key after a sync; see [Outcome].
type OutcomeKind uint8

// The outcome kinds, from the error a [Sync] returned; [OutcomeOf] is the rule.
const (
	// OutcomeDone: the sync returned nil. The key is done; its failure count is forgotten.
	OutcomeDone OutcomeKind = iota
	// OutcomeRetry: any other error. The key is retried after its per-key backoff, which grows
	// with each consecutive failure.
	OutcomeRetry
	// OutcomeRetryAfter: an error carrying a [backoff.RetryAfter] hint. The key is retried
	// after exactly the hint; its failure count is kept but does not grow.
	OutcomeRetryAfter
	// OutcomeDropped: a [backoff.Permanent] error. The key is dropped (not retried), its
	// failure count forgotten, and the drop reported to [Hooks.OnDropped].
	OutcomeDropped
	// OutcomeRequeue: the sync succeeded and asked, with [RequeueAfter], to run again after a
	// while (controller-runtime's RequeueAfter). Its failure count is forgotten, as for
	// OutcomeDone, and the key is processed again after the delay.
	OutcomeRequeue
)

// String returns the kind's name: "done", "retry", "retry-after", "dropped" or "requeue".
func (k OutcomeKind) String() string {
	switch k {
	case OutcomeDone:
		return "done"
	case OutcomeRetry:
		return "retry"
	case OutcomeRetryAfter:
		return "retry-after"
	case OutcomeDropped:
		return "dropped"
	case OutcomeRequeue:
		return "requeue"
	}
	return "unknown"
}

// Outcome is what became of one sync of a key: its [OutcomeKind], the sync's error (nil for
// OutcomeDone and OutcomeRequeue; for OutcomeDropped the error inside the Permanent mark) and,
// for OutcomeRetryAfter and OutcomeRequeue, the delay. [Run] hands it to [Source.Done] and to its hooks.
type Outcome struct {
	Kind  OutcomeKind
	Err   error
	After time.Duration
}

// OutcomeOf is the single rule that turns a sync's error into an [Outcome]. In order of
// precedence:
//
//  1. nil: [OutcomeDone].
//  2. an error marked [backoff.Permanent] anywhere in its chain: [OutcomeDropped], with the
//     error inside the mark. Permanent wins over a RetryAfter hint in the same chain: the sync
//     said the key cannot succeed, so no wait helps.
//  3. an error with a [backoff.RetryAfter] hint anywhere in its chain: [OutcomeRetryAfter],
//     with the hint (the first one in the chain).
//  4. an error made by [RequeueAfter] anywhere in its chain: [OutcomeRequeue], with its delay
//     and no error: the sync succeeded.
//  5. any other error, including a per-sync timeout ([ErrSyncTimeout]) and a sync interrupted
//     because Run is stopping: [OutcomeRetry].
func OutcomeOf(err error) Outcome {
	if err == nil {
		return Outcome{Kind: OutcomeDone}
	}
	if inner, ok := backoff.IsPermanent(err); ok {
		return Outcome{Kind: OutcomeDropped, Err: inner}
	}
	if d, ok := backoff.RetryAfterHint(err); ok {
		return Outcome{Kind: OutcomeRetryAfter, Err: err, After: d}
	}
	if rq, ok := errors.AsType[*requeue](err); ok && rq != nil {
		return Outcome{Kind: OutcomeRequeue, After: rq.after}
	}
	return Outcome{Kind: OutcomeRetry, Err: err}
}

// RequeueAfter is what a [Sync] returns when it succeeded but wants its key processed again
// after d: a poll of something that changes without an event (a cloud resource still being
// provisioned, a certificate about to expire). It is not a failure: [OutcomeOf] reads it as
// [OutcomeRequeue], which forgets the key's failures; a [Queue] then adds the key after d as
// [Queue.AddAfter] does (the earliest pending add wins), or at once if d is zero or negative.
// The value is an error only so that it fits Sync's signature; wrapping it keeps its meaning.
func RequeueAfter(d time.Duration) error { return &requeue{after: max(d, 0)} }

type requeue struct{ after time.Duration }

// Error reads "reconcile: requeue after 1m0s", and "after forever" for backoff.Forever.
func (r *requeue) Error() string {
	if r.after == backoff.Forever {
		return "reconcile: requeue after forever"
	}
	return fmt.Sprintf("reconcile: requeue after %v", r.after)
}
