package reconcile

import (
	"context"
	"fmt"
	"time"
)

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
	case o.Kind == OutcomeRetry || o.Kind == OutcomeRetryAfter:
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
	default:
		s.failures = 0
		return 0
	}
}
