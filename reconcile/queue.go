package reconcile

import (
	"context"
	"errors"
	"fmt"
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
// delayed adds and bounded memory. It is a [Source] for [Run]. Its rules (each method's doc
// refines them):
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

	policy   backoff.Policy
	maxKeys  int
	jitter   func() float64 // in [0, 1); math/rand/v2's Float64 unless a test sets it
	hooks    QueueHooks
	inFlight int       // keys handed out and not yet Done
	epoch    time.Time // the origin of now(), set at its first call
}

// keyState is what the queue knows about one key it holds.
type keyState struct {
	flags    uint8
	failures int32  // consecutive failures, forgotten on done or dropped
	index    int32  // position in waiting, -1 if not waiting
	gen      uint32 // the generation of the key's valid entry in low
	// queuedAt and startedAt are q.now() when the key became ready and when it was handed
	// out; 0 when not, and always 0 on a queue without timed hooks.
	queuedAt, startedAt int64
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
	hooks   QueueHooks
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
		if opt != nil { // a nil option is absent
			opt(&c)
		}
	}
	if err := c.policy.Validate(); err != nil {
		return nil, err
	}
	return &Queue[K]{policy: c.policy, maxKeys: c.maxKeys, hooks: c.hooks}, nil
}

// Failures returns key's consecutive failures so far, as client-go workqueue's NumRequeues
// does: how many syncs of it in a row ended in [OutcomeRetry], forgotten on a success or a
// drop. A sync may read it for the key it was handed, to give up (return a
// [backoff.Permanent] error) after some number of tries. It is 0 for a key the queue does not
// hold. It does not block.
func (q *Queue[K]) Failures(key K) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return int(q.keys[key].failures)
}

// Len returns the number of keys queued and ready to be handed out (not those waiting for a
// time or being processed).
func (q *Queue[K]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// Add queues key to be processed now. It does nothing if key is already queued; if key is being
// processed, it is queued again when [Queue.Done] is called; if key waits for [Queue.AddAfter]
// or a retry, the wait ends now. Add returns [ErrShutdown] after [Queue.ShutDown] or
// [Queue.Drain], and [ErrQueueFull] if key is new and the queue is full. It does not block.
func (q *Queue[K]) Add(key K) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, err := q.admit(key)
	if err != nil {
		return err
	}
	if s.index >= 0 {
		q.waiting.remove(q, int(s.index))
		s.index = -1
	}
	q.addLocked(key, s, false)
	return nil
}

// AddAfter queues key to be processed after d, or now if d is zero or negative. The earliest
// wins: it does nothing if key is already queued (or due to be processed again after Done by an
// Add), or waits for a time no later than now+d; otherwise key waits until now+d, and a
// [Queue.Done] that queues it sooner ends the wait. Errors are those of
// [Queue.Add]. It does not block.
func (q *Queue[K]) AddAfter(key K, d time.Duration) error {
	if d <= 0 {
		return q.Add(key)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	s, err := q.admit(key)
	if err != nil {
		return err
	}
	q.waitLocked(key, s, time.Now().Add(d))
	return nil
}

// Resync queues key at low priority: [Queue.Get] hands it out only when no key added otherwise
// is ready, so a resync of every key never delays an event-driven one. It does nothing if key
// is queued, waiting, or due to be processed again; if key is being processed, it is queued
// again (at low priority) on Done. A later [Queue.Add] of the key promotes it. Errors are those
// of [Queue.Add]. [Run]'s [WithResync] adds keys this way.
func (q *Queue[K]) Resync(key K) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, err := q.admit(key)
	if err != nil {
		return err
	}
	if s.index >= 0 {
		return nil // a retry is coming anyway; a resync must not cut its backoff short
	}
	q.addLocked(key, s, true)
	return nil
}

// admit returns key's state, a fresh one for a new key, or why key cannot be added: the queue
// is shut down, or key is new and the queue is full. Called with q.mu held.
func (q *Queue[K]) admit(key K) (_ keyState, err error) {
	if q.closed {
		return keyState{}, ErrShutdown
	}
	if q.hooks.OnAdd != nil {
		defer func() {
			if err == nil {
				q.hooks.OnAdd()
			}
		}()
	}
	if s, ok := q.keys[key]; ok {
		return s, nil
	}
	if q.full() {
		return keyState{}, ErrQueueFull
	}
	return keyState{index: -1}, nil
}

// full reports whether a new key would exceed the bound.
func (q *Queue[K]) full() bool { return q.maxKeys > 0 && len(q.keys) >= q.maxKeys }

// addLocked queues key (whose state is s, not waiting) now, at low priority if low.
func (q *Queue[K]) addLocked(key K, s keyState, low bool) {
	switch {
	case s.flags&processing != 0:
		// Done queues it again. An ordinary add raises the priority of a pending resync.
		if s.flags&dirty == 0 {
			s.flags |= dirty
			s.flags = setFlag(s.flags, lowPrio, low)
		} else if !low {
			s.flags &^= lowPrio
		}
	case s.flags&queued == 0:
		s.flags |= queued
		s.flags = setFlag(s.flags, lowPrio, low)
		q.push(key, &s)
	case s.flags&lowPrio != 0 && !low:
		// Promote: queue it in ready; its entry in low becomes stale.
		s.flags &^= lowPrio
		q.stale++
		q.queued-- // push counts it again
		q.push(key, &s)
	}
	q.store(key, s)
	q.compactLow()
}

// push appends a key whose flags say queued to its fifo and wakes one waiting Get. A key has
// at most one pending entry: if it was also waiting for a time (an AddAfter while it was
// processed), that wait ends here, as the earliest wins.
func (q *Queue[K]) push(key K, s *keyState) {
	if s.index >= 0 {
		q.waiting.remove(q, int(s.index))
		s.index = -1
		q.armTimer()
	}
	if s.flags&lowPrio != 0 {
		s.gen++
		q.low.push(lowKey[K]{key: key, gen: s.gen})
	} else {
		q.ready.push(key)
	}
	q.onQueued(s)
	q.queued++
	q.wakeOne()
}

// waitLocked makes key (state s) wait until at, unless it is due sooner, and records s.
func (q *Queue[K]) waitLocked(key K, s keyState, at time.Time) {
	q.put(key, s)
	switch {
	case s.flags&queued != 0, s.flags&(dirty|lowPrio) == dirty:
		// Due now, or right after Done: sooner than at. (A key due after Done only by a
		// resync waits too: its Done drops the resync if a backoff comes first.)
	case s.index >= 0:
		if at.Before(q.waiting.at(int(s.index))) {
			q.waiting.update(q, int(s.index), at)
		}
	default:
		q.waiting.push(q, key, at) // records the key's index in q.keys
	}
	q.armTimer()
}

// store records s for key, or forgets key when nothing is left to remember about it. Once the
// map is empty after holding many keys, it is replaced, because a Go map never shrinks.
func (q *Queue[K]) store(key K, s keyState) {
	if s.flags&(queued|processing|dirty) != 0 || s.index >= 0 || s.failures > 0 {
		q.put(key, s)
		return
	}
	delete(q.keys, key)
	if len(q.keys) == 0 && q.peak > mapKeep {
		q.keys, q.peak = nil, 0
	}
}

// put records s for key.
func (q *Queue[K]) put(key K, s keyState) {
	if q.keys == nil {
		q.keys = make(map[K]keyState)
	}
	q.keys[key] = s
	q.peak = max(q.peak, len(q.keys))
}

// mapKeep is the size below which an emptied map is kept for reuse rather than released.
const mapKeep = 1024

func setFlag(flags, f uint8, on bool) uint8 {
	if on {
		return flags | f
	}
	return flags &^ f
}

// Get blocks until a key is queued and returns it; the key is then being processed until the
// caller passes it to [Queue.Done], and no other Get returns it before. Keys added by
// [Queue.Add] come out in order, before any key added by [Queue.Resync].
//
// Get returns [ErrShutdown] once the queue is shut down ([Queue.ShutDown]) or drained
// ([Queue.Drain] and nothing left to hand out), and then for ever; it returns ctx's cause when
// ctx ends first. A key is never lost when Get returns an error. Get does not allocate.
func (q *Queue[K]) Get(ctx context.Context) (K, error) {
	var zero K
	if ctx.Err() != nil { // checked before locking, to keep the lock short
		return zero, context.Cause(ctx)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.finished {
			return zero, ErrShutdown
		}
		if key, ok := q.pop(); ok {
			q.checkDrained()
			return key, nil
		}
		if !q.wait(ctx) {
			return zero, context.Cause(ctx)
		}
	}
}

// wait blocks, with q.mu released, until an add or a shutdown wakes this Get or ctx ends.
// Each blocked Get has its own channel, buffered so that waking it never blocks; channels are
// reused, so waiting does not allocate. It reports whether ctx is still going.
func (q *Queue[K]) wait(ctx context.Context) bool {
	var ch chan struct{}
	if n := len(q.spare); n > 0 {
		ch, q.spare = q.spare[n-1], q.spare[:n-1]
	} else {
		ch = make(chan struct{}, 1)
	}
	q.waiters = append(q.waiters, ch)
	q.mu.Unlock()
	woken := false
	select {
	case <-ch:
		woken = true
	case <-ctx.Done():
	}
	q.mu.Lock()
	if !woken && !q.removeWaiter(ch) {
		<-ch // woken at the same time as ctx ended: the wake-up is in the channel
		woken = true
	}
	q.spare = append(q.spare, ch)
	if ctx.Err() == nil {
		return true
	}
	if woken {
		q.wakeOne() // this Get is leaving: pass its wake-up on so that no key is stranded
	}
	return false
}

// wakeOne wakes the oldest blocked Get, if any.
func (q *Queue[K]) wakeOne() {
	if len(q.waiters) == 0 {
		return
	}
	ch := q.waiters[0]
	n := copy(q.waiters, q.waiters[1:])
	q.waiters[n] = nil
	q.waiters = q.waiters[:n]
	ch <- struct{}{} // never blocks: a channel is in waiters at most once, and drained before reuse
}

// wakeAll wakes every blocked Get.
func (q *Queue[K]) wakeAll() {
	for len(q.waiters) > 0 {
		q.wakeOne()
	}
}

func (q *Queue[K]) removeWaiter(ch chan struct{}) bool {
	for i, w := range q.waiters {
		if w == ch {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// pop takes the next queued key, ready ones first, and marks it processing.
func (q *Queue[K]) pop() (K, bool) {
	if key, ok := q.ready.pop(); ok {
		q.take(key)
		return key, true
	}
	for {
		e, ok := q.low.pop()
		if !ok {
			var zero K
			return zero, false
		}
		if q.validLow(e) {
			q.take(e.key)
			return e.key, true
		}
		q.stale--
	}
}

func (q *Queue[K]) validLow(e lowKey[K]) bool {
	s, ok := q.keys[e.key]
	return ok && s.flags&(queued|lowPrio) == queued|lowPrio && s.gen == e.gen
}

func (q *Queue[K]) take(key K) {
	s := q.keys[key]
	q.onTaken(&s)
	s.flags = s.flags&^(queued|lowPrio) | processing
	q.keys[key] = s
	q.queued--
}

// compactLow drops stale entries from low once they are the majority, so that promotions
// cannot make it grow beyond twice the number of keys resynced.
func (q *Queue[K]) compactLow() {
	if q.stale < 32 || q.stale < q.low.len()/2 {
		return
	}
	q.low.filter(q.validLow)
	q.stale = 0
}

// Done reports the [Outcome] of processing key, which must have come from [Queue.Get], and
// releases it. The outcome decides what comes next (see [OutcomeKind]); a key added while it
// was processed is queued at once instead of waiting (unless only a [Queue.Resync] added it:
// a resync never cuts a backoff short). After [Queue.Drain] or
// [Queue.ShutDown], nothing is retried. Done returns an error, and changes nothing, if key is
// not being processed. It does not block; ctx is not used.
func (q *Queue[K]) Done(_ context.Context, key K, o Outcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, ok := q.keys[key]
	if !ok || s.flags&processing == 0 {
		return fmt.Errorf("reconcile: Done of key %v, which is not being processed", key)
	}
	if q.draining && s.flags&dirty != 0 {
		q.dirtyLeft-- // queued again below, unless a backoff wins over a resync
		defer q.checkDrained()
	}
	s.flags &^= processing
	q.onDone(&s, o)
	delay := q.afterDone(&s, o)
	if delay > 0 && s.flags&(dirty|lowPrio) == dirty|lowPrio {
		s.flags &^= dirty | lowPrio // a resync must not cut a backoff short; the retry covers it
	}
	switch {
	case q.closed && (!q.draining || s.flags&dirty == 0):
		s = keyState{index: -1} // shut down: forget it
	case s.flags&dirty != 0:
		s.flags = s.flags&^dirty | queued
		q.push(key, &s)
	case delay > 0:
		q.waitLocked(key, s, time.Now().Add(delay))
		return nil
	case o.Kind == OutcomeRetry || o.Kind == OutcomeRetryAfter || o.Kind == OutcomeRequeue:
		s.flags |= queued
		q.push(key, &s)
	}
	q.store(key, s)
	return nil
}

// afterDone updates s's failure count for o and returns how long the key should wait before
// its retry (zero for none or for at once).
func (q *Queue[K]) afterDone(s *keyState, o Outcome) time.Duration {
	switch o.Kind {
	case OutcomeRetry:
		s.failures = min(s.failures+1, maxFailures) // Delay saturates long before this
		return q.retryDelay(int(s.failures))
	case OutcomeRetryAfter:
		return o.After
	case OutcomeRequeue:
		s.failures = 0 // a success
		return o.After
	default:
		s.failures = 0
		return 0
	}
}

// ShutDown stops the queue at once: adds return [ErrShutdown], every [Queue.Get], blocked or
// not, returns ErrShutdown, and queued and waiting keys are forgotten. Keys being processed can
// still be passed to [Queue.Done], which then forgets them too. It does not wait for them: [Run]
// does, and returns after its in-flight syncs finish. Subsequent calls do nothing.
func (q *Queue[K]) ShutDown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed, q.draining, q.dirtyLeft = true, false, 0
	q.ready.reset()
	q.low.reset()
	q.stale, q.queued = 0, 0
	q.clearWaiting()
	for key, s := range q.keys {
		if s.flags&processing == 0 {
			delete(q.keys, key)
		} else {
			q.keys[key] = keyState{flags: processing, index: -1, startedAt: s.startedAt}
		}
	}
	q.finish()
}

// Drain stops the queue gracefully: adds return [ErrShutdown] and keys waiting for a time or a
// retry are forgotten, but [Queue.Get] goes on handing out the keys already queued (and those
// added while being processed, once their Done queues them again) and returns ErrShutdown once
// none is left: a Get that finds nothing queued while such a key is in flight waits for it.
// Once Get has returned ErrShutdown, it hands out nothing more. Failed keys are not retried. [Run] over a drained queue returns once every queued key has been synced. It does
// not block. After ShutDown it does nothing; subsequent calls do nothing.
func (q *Queue[K]) Drain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed, q.draining = true, true
	q.clearWaiting()
	for _, s := range q.keys {
		if s.flags&(processing|dirty) == processing|dirty {
			q.dirtyLeft++
		}
	}
	q.checkDrained()
}

// ShutDownNotify returns a channel that is closed once Get hands out nothing more: at
// [Queue.ShutDown], or once a drained queue ([Queue.Drain]) has handed out every key it held and
// no key in flight is due to be queued again. It makes the Queue a [ShutDownNotifier], which
// lets [Run] stop at once, even while every worker waits for a rate-limit token. Every call
// returns the same channel.
func (q *Queue[K]) ShutDownNotify() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.notify == nil {
		q.notify = make(chan struct{})
		if q.finished {
			close(q.notify)
		}
	}
	return q.notify
}

// checkDrained finishes a draining queue once nothing is queued and no key in flight is due
// to be queued again by its Done.
func (q *Queue[K]) checkDrained() {
	if q.draining && q.queued == 0 && q.dirtyLeft == 0 {
		q.finish()
	}
}

// finish makes every Get, blocked or not, return ErrShutdown from now on.
func (q *Queue[K]) finish() {
	if q.finished {
		return
	}
	q.finished = true
	if q.notify != nil {
		close(q.notify)
	}
	q.wakeAll()
}

// clearWaiting forgets every waiting key that is not also queued or processing, and stops the
// timer.
func (q *Queue[K]) clearWaiting() {
	for _, d := range q.waiting.items {
		s := q.keys[d.key]
		s.index, s.failures = -1, 0
		q.store(d.key, s)
	}
	q.waiting.items = nil
	q.armTimer()
}
