package vpp

import (
	"net/netip"
	"time"
)

// BackendState is one backend as a [Snapshot] holds it: its address, its state and when it
// entered that state.
type BackendState struct {
	Address netip.Addr
	State   State
	Since   time.Time
}

// Snapshot is the state of backends at one moment, by name, from [Checker.Snapshot]. The sync
// path computes a whole plan from one snapshot, so that no plan mixes states from before and
// after a transition. It is a plain map: a nil Snapshot holds nothing.
type Snapshot map[string]BackendState

// State returns the backend's state in the snapshot, or [StateUnknown] if it holds no such
// backend. Its signature fits [ActivePool].
func (s Snapshot) State(backend string) State { return s[backend].State }

// Snapshot returns the state of the named backends, or of every backend when no name is
// given, as they all were at one moment: no transition of any of them happens between the
// reads. Names the checker does not know are left out. It is safe for concurrent use and
// blocks only while a transition is being recorded; it costs time in the number of backends
// it returns, not in how many the checker has.
func (c *Checker) Snapshot(backends ...string) Snapshot {
	c.stateMu.RLock()
	defer c.stateMu.RUnlock()
	if len(backends) == 0 {
		out := make(Snapshot, len(c.order))
		for _, t := range c.order {
			out[t.b.Name] = t.stateLocked()
		}
		return out
	}
	out := make(Snapshot, len(backends))
	for _, name := range backends {
		if t, ok := c.byName[name]; ok {
			out[name] = t.stateLocked()
		}
	}
	return out
}

// stateLocked reads t's state with the checker's stateMu held (for reading or writing): every
// write of state and since holds both t.mu and stateMu, so either lock makes the read safe.
func (t *tracked) stateLocked() BackendState {
	return BackendState{Address: t.b.Address, State: t.state, Since: t.since}
}
