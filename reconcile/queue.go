package reconcile

// The rules of Queue, in one place (see also the doc comments of its methods):
//
//   - A key is queued at most once: adding a key that is already queued does nothing.
//   - A key is handed to at most one caller of Get at a time, until that caller passes it to
//     Done. A key added while it is being processed is queued once more when Done is called,
//     never lost and never handed out twice at once.
//   - AddAfter dedupes with Add: the earliest wins, and a key has at most one pending entry
//     (queued, or waiting for a time) at any time. Add of a key waiting for AddAfter moves it
//     to now; AddAfter of a key already queued, or waiting for an earlier time, does nothing; a
//     Done that queues a key ends its wait.
//   - Done applies the Outcome: done forgets the key's failures; retry waits the per-key backoff
//     (growing with consecutive failures); retry-after waits the hint; dropped forgets the key.
//     A key added while it was processed is queued at once, whatever the outcome.
//   - Resync adds at low priority: Get hands out a resync key only when no other key is ready,
//     so a full resync never delays an event-driven key. Resync of a key that is queued,
//     waiting or due to be processed again does nothing.
//   - Shutdown: after ShutDown, or once a drained queue has nothing left to hand out (nothing
//     queued, no key in flight due again), Get returns ErrShutdown for ever and the channel of
//     ShutDownNotify is closed.
//   - Memory: the queue holds state only for keys that are queued, waiting or being processed;
//     a key done or dropped is forgotten, and buffers shrink when they empty. WithQueueMaxKeys
//     bounds the number of such keys: an Add of a new key beyond it returns ErrQueueFull.

import (
	"errors"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// ErrShutdown is returned by [Queue.Add] and the other adds after [Queue.ShutDown] or
// [Queue.Drain], and by [Queue.Get] once the queue hands out nothing more. [Run] stops
// quietly when its [Source] returns it.
var ErrShutdown = errors.New("reconcile: queue shut down")

// ErrQueueFull is returned by an add of a new key when the queue already holds the maximum
// number of keys set by [WithQueueMaxKeys]. Re-adds of keys it holds never fail this way.
var ErrQueueFull = errors.New("reconcile: queue full")

// DefaultQueueBackoff is the per-key backoff of a [Queue] without [WithQueueBackoff]: 5ms
// doubling up to 5 minutes, ±50% jitter. It starts small because a controller's failures are
// often a cache that has not caught up yet, and caps low enough that a key broken for a while
// is retried a few times an hour after it is fixed.
var DefaultQueueBackoff = backoff.Policy{Initial: 5 * time.Millisecond, Multiplier: 2, Max: 5 * time.Minute}

// Queue is a keyed work queue with client-go workqueue semantics, per-key exponential backoff,
// delayed adds and bounded memory. It is a [Source] for [Run]. The rules are at the top of
// queue.go and in each method's doc.
//
// A Queue is safe for concurrent use. Its zero value is an empty queue with
// [DefaultQueueBackoff] and no bound on the number of keys. It starts no goroutine: delayed
// keys are moved by a timer (time.AfterFunc) that exists only while a key waits. A Queue must
// not be copied after first use.
type Queue[K comparable] struct {
	mu      sync.Mutex
	keys    map[K]keyState
	peak    int             // the most keys held since keys was made
	ready   fifo[K]         // keys queued by Add, AddAfter and retries, in order
	low     fifo[lowKey[K]] // keys queued by Resync; see lowKey
	stale   int             // entries of low that no longer count
	queued  int             // keys in ready plus valid entries of low
	waiting delayHeap[K]    // keys waiting for a time
	timer   *time.Timer     // fires at waiting's earliest time; nil until first needed
	timerAt time.Time

	waiters []chan struct{} // one per blocked Get, oldest first
	spare   []chan struct{} // channels to reuse for waiters, so that Get does not allocate

	closed    bool          // no more adds
	draining  bool          // closed, but Get hands out what is queued
	dirtyLeft int           // while draining: keys in flight that Done queues again
	finished  bool          // Get hands out nothing more: shut down, or drained
	notify    chan struct{} // closed when finished; made by ShutDownNotify

	policy  backoff.Policy
	maxKeys int
	jitter  func() float64 // in [0, 1); math/rand/v2's Float64 unless a test sets it
}

// keyState is what the queue knows about one key it holds.
type keyState struct {
	flags    uint8
	failures int32  // consecutive failures, forgotten on done or dropped
	index    int32  // position in waiting, -1 if not waiting
	gen      uint32 // the generation of the key's valid entry in low
}

const (
	queued     uint8 = 1 << iota // in ready, or in low if lowPrio is also set
	lowPrio                      // the pending add (queued or dirty) came from Resync
	processing                   // handed out by Get, not yet Done
	dirty                        // added while processing: queue again on Done
)

// lowKey is an entry of the low-priority fifo. Promoting a key to ready leaves its entry behind;
// gen tells a valid entry from such a stale one.
type lowKey[K comparable] struct {
	key K
	gen uint32
}

// QueueOption configures a [Queue] made by [NewQueue].
type QueueOption func(*queueConfig)

type queueConfig struct {
	policy  backoff.Policy
	maxKeys int
}

// WithQueueBackoff sets the per-key backoff after failures. The queue uses Initial, Multiplier,
// Max and Jitter; it ignores MaxElapsed and MaxAttempts, since it never gives up on a key by
// itself: a sync that wants to give up returns a [backoff.Permanent] error.
func WithQueueBackoff(p backoff.Policy) QueueOption {
	return func(c *queueConfig) { c.policy = p }
}

// WithQueueMaxKeys bounds the number of distinct keys the queue holds (queued, waiting or being
// processed): an add of a new key beyond n returns [ErrQueueFull]. Zero or less means no bound.
func WithQueueMaxKeys(n int) QueueOption {
	return func(c *queueConfig) { c.maxKeys = n }
}

// NewQueue returns an empty queue configured by opts, or the error of an invalid backoff
// policy (matching [backoff.ErrInvalidPolicy]). It starts nothing.
func NewQueue[K comparable](opts ...QueueOption) (*Queue[K], error) {
	c := queueConfig{policy: DefaultQueueBackoff}
	for _, opt := range opts {
		opt(&c)
	}
	if err := c.policy.Validate(); err != nil {
		return nil, err
	}
	return &Queue[K]{policy: c.policy, maxKeys: c.maxKeys}, nil
}

// Len returns the number of keys queued and ready to be handed out (not those waiting for a
// time or being processed).
func (q *Queue[K]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}
