package reconcile

// ShutDown stops the queue at once: adds return [ErrShutdown], every [Queue.Get], blocked or
// not, returns ErrShutdown, and queued and waiting keys are forgotten. Keys being processed can
// still be passed to [Queue.Done], which then forgets them too. It does not wait for them: [Run]
// does, and returns after its in-flight syncs finish. Subsequent calls do nothing.
func (q *Queue[K]) ShutDown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed, q.draining = true, false
	q.ready.reset()
	q.low.reset()
	q.stale, q.queued = 0, 0
	q.clearWaiting()
	for key, s := range q.keys {
		if s.flags&processing == 0 {
			delete(q.keys, key)
		} else {
			q.keys[key] = keyState{flags: processing, index: -1}
		}
	}
	q.wakeAll()
}

// Drain stops the queue gracefully: adds return [ErrShutdown] and keys waiting for a time or a
// retry are forgotten, but [Queue.Get] goes on handing out the keys already queued (and those
// added while being processed) and returns ErrShutdown once none is left. Failed keys are not
// retried. [Run] over a drained queue returns once every queued key has been synced. It does
// not block. After ShutDown it does nothing; subsequent calls do nothing.
func (q *Queue[K]) Drain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed, q.draining = true, true
	q.clearWaiting()
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
