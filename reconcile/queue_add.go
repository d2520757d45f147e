package reconcile

import "time"

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
func (q *Queue[K]) admit(key K) (keyState, error) {
	if q.closed {
		return keyState{}, ErrShutdown
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
