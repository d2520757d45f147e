package connctx

import (
	"errors"
	"time"
)

// LeaderState is what a [Leader] is doing.
type LeaderState int

// The states of a [Leader].
const (
	// LeaderStopped: Run is not running.
	LeaderStopped LeaderState = iota
	// LeaderAcquiring: trying to acquire the lease, or waiting between two terms.
	LeaderAcquiring
	// LeaderLeading: holding the lease; the session runs.
	LeaderLeading
)

var leaderStateNames = [...]string{"stopped", "acquiring", "leading"}

// String returns the state's name ("leading"), or "invalid".
func (s LeaderState) String() string {
	if s < 0 || int(s) >= len(leaderStateNames) {
		return "invalid"
	}
	return leaderStateNames[s]
}

// LeaseStatus is a snapshot of a [Leader], for a liveness probe or a status page.
type LeaseStatus struct {
	State LeaderState
	// Identity is the identity this Leader holds the lease under.
	Identity string
	// Holder is the lease's holder as last seen: this Leader while it leads; while it
	// acquires, the other holder an attempt found, or the zero Holder when none was seen.
	Holder Holder
	// Term counts the terms this Leader has led, the current one included.
	Term int
	// Renewed, while leading, is the start of the last successful acquire or renewal.
	Renewed time.Time
	// Deadline, while leading, is the lease's deadline: Renewed plus the renew deadline.
	Deadline time.Time
	// LastError is the last error of the lock (an acquire, renewal or release), kept after a
	// later success; a lease held by another is not an error here. Nil if none.
	LastError error
	// Since is when State was entered.
	Since time.Time
}

// Status returns a snapshot of the Leader's state. It does not block on the lock.
func (l *Leader) Status() LeaseStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status
}

// setState enters state s; the lease's times are kept only while leading. Lock order: a
// term's mu before l.mu, never the other way.
func (l *Leader) setState(s LeaderState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enter(s)
}

// enter is setState with l.mu held.
func (l *Leader) enter(s LeaderState) {
	if l.status.State != s {
		l.status.State, l.status.Since = s, time.Now()
	}
	if s != LeaderLeading {
		l.status.Renewed, l.status.Deadline = time.Time{}, time.Time{}
	}
}

func (l *Leader) leading(t *term) {
	deadline := t.currentDeadline()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enter(LeaderLeading)
	l.status.Holder, l.status.Term = t.lease.Holder, t.lease.Term
	l.status.Renewed, l.status.Deadline = t.lease.Acquired, deadline
}

// observe records the holder a lock call returned, and its error if it is one.
func (l *Leader) observe(h Holder, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var held *HeldError
	switch {
	case errors.As(err, &held):
		l.status.Holder = held.Holder
	case err != nil:
		l.status.LastError = err
	default:
		l.status.Holder = h
	}
}

func (l *Leader) renewedAt(start, deadline time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status.Renewed, l.status.Deadline = start, deadline
}

func (l *Leader) renewFailed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status.LastError = err
}
