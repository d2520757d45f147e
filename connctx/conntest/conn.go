package conntest

import (
	"context"
	"errors"
	"sync"

	"github.com/steadfast-go/steadfast/connctx"
)

// State is a connectivity state, named as gRPC names its connectivity.State values.
type State int

// The states of a [Conn], in gRPC's order.
const (
	Idle State = iota
	Connecting
	Ready
	TransientFailure
	Shutdown
)

var stateNames = [...]string{"IDLE", "CONNECTING", "READY", "TRANSIENT_FAILURE", "SHUTDOWN"}

// String returns the state's gRPC name ("READY"), or "INVALID_STATE".
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "INVALID_STATE"
	}
	return stateNames[s]
}

// ErrClosed is returned by [Conn.Close] after the first call.
var ErrClosed = errors.New("conntest: connection already closed")

// Conn is a fake connection whose state the test sets with [Conn.Set]. It satisfies
// connctx.Conn[State] and io.Closer. It is safe for concurrent use.
type Conn struct {
	mu      sync.Mutex
	state   State
	changed chan struct{} // closed and replaced on every state change
	closes  int
	onClose func()
}

var _ connctx.Conn[State] = (*Conn)(nil)

// NewConn returns a connection in state s.
func NewConn(s State) *Conn {
	return &Conn{state: s, changed: make(chan struct{})}
}

// GetState returns the current state.
func (c *Conn) GetState() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// WaitForStateChange blocks until the state differs from s or ctx ends, and reports whether
// it changed (false: ctx ended). Like gRPC's, it returns at once if the state already differs
// from s, and it wakes on any change while it waits, even one that is undone before it reads
// the state again.
func (c *Conn) WaitForStateChange(ctx context.Context, s State) bool {
	c.mu.Lock()
	changed := c.changed
	cur := c.state
	c.mu.Unlock()
	if cur != s {
		return true
	}
	select {
	case <-changed:
		return true
	case <-ctx.Done():
		return false
	}
}

// Set moves the connection to state s and wakes every waiter, unless s is the current state.
// Like gRPC's, a connection in [Shutdown] stays there: Set then does nothing.
func (c *Conn) Set(s State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(s)
}

func (c *Conn) setLocked(s State) {
	if c.state == s || c.state == Shutdown {
		return
	}
	c.state = s
	close(c.changed)
	c.changed = make(chan struct{})
}

// Blip moves the connection to state via and back to its current state at once, under one
// lock, so that no reader sees via: a reconnect faster than any observer. Waiters wake and
// find the state unchanged, as they would with gRPC. Blip does nothing in [Shutdown] or when
// via is the current state.
func (c *Conn) Blip(via State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	back := c.state
	c.setLocked(via)
	c.setLocked(back)
}

// Close moves the connection to [Shutdown] and counts the call. It returns nil the first
// time and [ErrClosed] after.
func (c *Conn) Close() error {
	c.mu.Lock()
	c.closes++
	first := c.closes == 1
	c.setLocked(Shutdown)
	onClose := c.onClose
	c.mu.Unlock()
	if !first {
		return ErrClosed
	}
	if onClose != nil {
		onClose()
	}
	return nil
}

// Closed reports whether Close was called.
func (c *Conn) Closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closes > 0
}

// Closes returns how many times Close was called.
func (c *Conn) Closes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closes
}
