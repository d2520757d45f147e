package reconcile

import "time"

// delayHeap is a min-heap of keys by the time they are due. Each key's position is kept in its
// keyState (index), so that Add can take a waiting key out in O(log n).
type delayHeap[K comparable] struct {
	items []delayed[K]
}

type delayed[K comparable] struct {
	key K
	at  time.Time
}

func (h *delayHeap[K]) len() int           { return len(h.items) }
func (h *delayHeap[K]) at(i int) time.Time { return h.items[i].at }
func (h *delayHeap[K]) first() (delayed[K], bool) {
	if len(h.items) == 0 {
		return delayed[K]{}, false
	}
	return h.items[0], true
}

func (h *delayHeap[K]) push(q *Queue[K], key K, at time.Time) {
	h.items = append(h.items, delayed[K]{key: key, at: at})
	h.set(q, len(h.items)-1)
	h.up(q, len(h.items)-1)
}

// update moves item i to an earlier time.
func (h *delayHeap[K]) update(q *Queue[K], i int, at time.Time) {
	h.items[i].at = at
	h.up(q, i)
}

// remove takes item i out and marks its key as not waiting.
func (h *delayHeap[K]) remove(q *Queue[K], i int) {
	last := len(h.items) - 1
	h.swap(q, i, last)
	h.setIndex(q, h.items[last].key, -1)
	h.items[last] = delayed[K]{}
	h.items = h.items[:last]
	if i < last {
		h.down(q, i)
		h.up(q, i)
	}
	if len(h.items) == 0 && cap(h.items) > fifoKeep {
		h.items = nil // give a burst's memory back
	}
}

func (h *delayHeap[K]) up(q *Queue[K], i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.items[i].at.Before(h.items[p].at) {
			return
		}
		h.swap(q, i, p)
		i = p
	}
}

func (h *delayHeap[K]) down(q *Queue[K], i int) {
	for {
		l := 2*i + 1
		if l >= len(h.items) {
			return
		}
		c := l
		if r := l + 1; r < len(h.items) && h.items[r].at.Before(h.items[l].at) {
			c = r
		}
		if !h.items[c].at.Before(h.items[i].at) {
			return
		}
		h.swap(q, i, c)
		i = c
	}
}

func (h *delayHeap[K]) swap(q *Queue[K], i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.set(q, i)
	h.set(q, j)
}

func (h *delayHeap[K]) set(q *Queue[K], i int) { h.setIndex(q, h.items[i].key, i) }

func (h *delayHeap[K]) setIndex(q *Queue[K], key K, i int) {
	s := q.keys[key]
	s.index = int32(i)
	q.keys[key] = s
}

// armTimer makes the timer fire when the earliest waiting key is due, or stops it when no key
// waits. The timer is made on first need; its function runs on a goroutine of its own only
// while it fires, so a Queue owns no long-lived goroutine.
func (q *Queue[K]) armTimer() {
	first, ok := q.waiting.first()
	if !ok || q.closed {
		if q.timer != nil {
			q.timer.Stop()
			q.timerAt = time.Time{}
		}
		return
	}
	if first.at.Equal(q.timerAt) {
		return
	}
	q.timerAt = first.at
	d := time.Until(first.at)
	if q.timer == nil {
		q.timer = time.AfterFunc(d, q.fire)
		return
	}
	q.timer.Reset(d)
}

// fire queues every waiting key that is due and re-arms the timer for the next one.
func (q *Queue[K]) fire() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.timerAt = time.Time{}
	now := time.Now()
	for {
		first, ok := q.waiting.first()
		if !ok || first.at.After(now) || q.closed {
			break
		}
		q.waiting.remove(q, 0)
		s := q.keys[first.key]
		q.addLocked(first.key, s, false)
	}
	q.armTimer()
}
