package vpp

import (
	"fmt"
	"time"
)

// State is a backend's health state, as the [Checker] tracks it.
type State uint8

// The backend states. StateUnknown, the zero value, is where a backend starts, and where it
// goes back to when it is enabled or resumed: its next check decides.
const (
	StateUnknown  State = iota // not checked yet since it started, was enabled or resumed
	StateUp                    // passing its checks: eligible for traffic
	StateDown                  // failing its checks
	StateDisabled              // disabled by an operator: not checked, its entry kept at weight 0
	StatePaused                // checks paused by an operator: not checked, drained
)

// States lists every state, in the order of their values.
var States = []State{StateUnknown, StateUp, StateDown, StateDisabled, StatePaused}

var stateNames = []string{"unknown", "up", "down", "disabled", "paused"}

// String returns the state's name: "unknown", "up", "down", "disabled" or "paused".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText returns the name String returns, or an error for a state without one.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("vpp: unknown state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText sets s from a name String returns.
func (s *State) UnmarshalText(b []byte) error { return unmarshalName(b, stateNames, "state", s) }

// Event is one state transition of one backend. The [Checker] reports one for every
// transition, and only for transitions: From is never To.
type Event struct {
	Backend string
	From    State
	To      State
	At      time.Time
	Reason  string // "check passed", the last check's error, "disabled by operator", ...
}

// String returns "backend: from -> to (reason)".
func (e Event) String() string {
	return fmt.Sprintf("%s: %v -> %v (%s)", e.Backend, e.From, e.To, e.Reason)
}

// counter is the rise/fall arithmetic of one backend: consecutive passes and failures since the
// last change of direction. It is a pure value; the checker holds one per backend.
type counter struct {
	passes, fails int
}

// record adds one check result to the counter and returns the state the backend moves to from
// s, which is s itself when the result does not move it. An unknown backend is decided by its
// first result: it carries no traffic (weight 0), so making it wait for rise passes would only
// delay serving. Up needs fall failures in a row to go down, down needs rise passes in a row to
// come up. Only unknown, up and down are moved by results.
func (c *counter) record(s State, passed bool, rise, fall int) State {
	if passed {
		c.passes, c.fails = c.passes+1, 0
	} else {
		c.passes, c.fails = 0, c.fails+1
	}
	switch {
	case s == StateUnknown && passed:
		return StateUp
	case s == StateUnknown:
		return StateDown
	case s == StateDown && c.passes >= rise:
		return StateUp
	case s == StateUp && c.fails >= fall:
		return StateDown
	}
	return s
}
