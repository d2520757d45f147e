package vpp

import (
	"context"
	"slices"
	"sync"
	"time"
)

// tracked is the checker's record of one backend.
type tracked struct {
	b    Backend
	wake chan struct{} // buffered (1): an operator's nudge is kept until the loop takes it

	mu          sync.Mutex
	state       State
	cnt         counter
	gen         uint64 // bumped by every operator transition
	decided     bool   // left unknown at least once (see Checker.FirstRound)
	since       time.Time
	transitions int
	lastErr     error
	history     []Event
}

// snapshot returns the generation and whether the backend is checked now.
func (t *tracked) snapshot() (uint64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gen, t.state != StateDisabled && t.state != StatePaused
}

// wait blocks until the next check is due (for an active, health-checked backend), an operator
// wakes the loop, or ctx ends (false).
func (t *tracked) wait(ctx context.Context, active bool) bool {
	var due <-chan time.Time
	if active && t.b.Check.Type != CheckNone {
		timer := time.NewTimer(t.b.Check.Interval)
		defer timer.Stop()
		due = timer.C
	}
	select {
	case <-due:
		return true
	case <-t.wake:
		return true
	case <-ctx.Done():
		return false
	}
}

// nudge wakes the loop without blocking.
func (t *tracked) nudge() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Status is what the [Checker] knows of one backend.
type Status struct {
	Backend     string
	State       State
	Since       time.Time // when it entered State (when the checker was made, before any transition)
	Transitions int       // transitions since the checker was made
	LastError   error     // the last check's error; nil after a pass
	History     []Event   // the last HistoryLen transitions, oldest first
}

func (t *tracked) status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Status{Backend: t.b.Name, State: t.state, Since: t.since, Transitions: t.transitions,
		LastError: t.lastErr, History: slices.Clone(t.history)}
}
