package reconcile

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
			q.keys[key] = keyState{flags: processing, index: -1}
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
