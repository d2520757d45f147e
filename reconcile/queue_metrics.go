package reconcile

import (
	"time"

	"github.com/steadfast-go/steadfast/internal/hookset"
)

// QueueHooks are the functions a [Queue] calls to report what it does, for metrics: together
// with [Queue.Stats] they cover what client-go's workqueue reports to its MetricsProvider
// (depth, adds, queue latency, work duration, unfinished work, longest running processor,
// retries). Each is optional: a nil field is absent, and the zero QueueHooks reports nothing.
//
// They are called with the queue's lock held, like workqueue's metrics, so they must be quick
// and must not call the queue. Hooks with a duration make the queue read the clock when a key
// is queued, handed out and done; a queue without hooks does not.
type QueueHooks struct {
	// OnAdd is called for each add the queue accepted (Add, AddAfter or Resync, a deduplicated
	// one included), not for one refused with ErrShutdown or ErrQueueFull.
	OnAdd func()
	// OnGet is called when Get hands out a key, with how long it was queued (the queue
	// latency: from when it became ready, not from an AddAfter or a retry's start).
	OnGet func(waited time.Duration)
	// OnDone is called when Done releases a key, with how long it was processed (the work
	// duration) and its outcome.
	OnDone func(worked time.Duration, o Outcome)
	// OnRetry is called when Done schedules a retry: an [OutcomeRetry] or [OutcomeRetryAfter].
	OnRetry func()
}

// WithQueueHooks sets the functions the queue calls to report what it does. Several
// WithQueueHooks combine: each non-nil field replaces the one set before it, and a nil field
// leaves it.
func WithQueueHooks(h QueueHooks) QueueOption {
	return func(c *queueConfig) {
		hookset.Combine(&c.hooks, h)
	}
}

// QueueStats is a snapshot of a [Queue], for gauges.
type QueueStats struct {
	Queued   int // ready to be handed out: the depth, as [Queue.Len]
	Waiting  int // waiting for a time: an AddAfter or a retry's backoff
	InFlight int // handed out by Get and not yet Done
	// LongestRunning is how long the oldest key in flight has been processed, and
	// UnfinishedWork the sum over every key in flight. Both are zero unless the queue has an
	// OnGet or OnDone hook, since only then does it read the clock.
	LongestRunning, UnfinishedWork time.Duration
}

// Stats returns a snapshot of the queue. With timed hooks it looks at every key in flight, so
// it costs time in proportion to them: call it for a gauge, not per key. It does not block for
// long.
func (q *Queue[K]) Stats() QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := QueueStats{Queued: q.queued, Waiting: len(q.waiting.items), InFlight: q.inFlight}
	if !q.timed() {
		return st
	}
	now := q.now()
	for _, s := range q.keys {
		if s.flags&processing != 0 && s.startedAt != 0 {
			d := time.Duration(now - s.startedAt)
			st.UnfinishedWork += d
			st.LongestRunning = max(st.LongestRunning, d)
		}
	}
	return st
}

// timed reports whether the queue reads the clock for its hooks.
func (q *Queue[K]) timed() bool { return q.hooks.OnGet != nil || q.hooks.OnDone != nil }

// now is the monotonic time in nanoseconds since the queue's epoch, never 0.
func (q *Queue[K]) now() int64 {
	if q.epoch.IsZero() {
		q.epoch = time.Now()
	}
	return int64(time.Since(q.epoch)) + 1
}

// onQueued records when a key became ready, unless it already was (a promotion).
func (q *Queue[K]) onQueued(s *keyState) {
	if q.timed() && s.queuedAt == 0 {
		s.queuedAt = q.now()
	}
}

// onTaken reports a key handed out and records when its processing started.
func (q *Queue[K]) onTaken(s *keyState) {
	q.inFlight++
	if !q.timed() {
		return
	}
	now := q.now()
	if q.hooks.OnGet != nil && s.queuedAt != 0 {
		q.hooks.OnGet(time.Duration(now - s.queuedAt))
	}
	s.queuedAt, s.startedAt = 0, now
}

// onDone reports a key released with outcome o.
func (q *Queue[K]) onDone(s *keyState, o Outcome) {
	q.inFlight--
	if q.hooks.OnDone != nil && s.startedAt != 0 {
		q.hooks.OnDone(time.Duration(q.now()-s.startedAt), o)
	}
	s.startedAt = 0
	if q.hooks.OnRetry != nil && (o.Kind == OutcomeRetry || o.Kind == OutcomeRetryAfter) {
		q.hooks.OnRetry()
	}
}
