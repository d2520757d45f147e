package vpp

import "fmt"

// State returns the backend's state, or [StateUnknown] for a name it does not know. It does not
// block for long and is safe to call at any time.
func (c *Checker) State(backend string) State {
	t, ok := c.byName[backend]
	if !ok {
		return StateUnknown
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// Status returns what the checker knows of the backend, or an error matching
// [ErrUnknownBackend].
func (c *Checker) Status(backend string) (Status, error) {
	t, err := c.lookup(backend)
	if err != nil {
		return Status{}, err
	}
	return t.status(), nil
}

// Disable takes the backend out: it goes to disabled (from any other state) and is no longer
// checked; the sync path keeps its entry at weight 0, flushed. Disabling a disabled backend
// does nothing.
func (c *Checker) Disable(backend string) error {
	return c.operate(backend, "disabled by operator", func(s State) (State, error) {
		return StateDisabled, nil
	})
}

// Enable puts a disabled backend back: it goes to unknown, keeps its history, and is checked
// at once; its next result decides up or down. Enabling a backend that is not disabled does
// nothing.
func (c *Checker) Enable(backend string) error {
	return c.operate(backend, "enabled by operator", func(s State) (State, error) {
		if s != StateDisabled {
			return s, nil
		}
		return StateUnknown, nil
	})
}

// Pause stops checking the backend and drains it (weight 0, no flush). Pausing a paused
// backend does nothing; pausing a disabled one is an error matching [ErrIsDisabled].
func (c *Checker) Pause(backend string) error {
	return c.operate(backend, "paused by operator", func(s State) (State, error) {
		if s == StateDisabled {
			return s, ErrIsDisabled
		}
		return StatePaused, nil
	})
}

// Resume checks a paused backend again: it goes to unknown and is checked at once. Resuming a
// backend that is not paused does nothing (an error matching [ErrIsDisabled] if disabled).
func (c *Checker) Resume(backend string) error {
	return c.operate(backend, "resumed by operator", func(s State) (State, error) {
		switch s {
		case StateDisabled:
			return s, ErrIsDisabled
		case StatePaused:
			return StateUnknown, nil
		}
		return s, nil
	})
}

// operate applies an operator's transition: next computes the new state from the current
// one. A real transition starts a new generation (results of probes begun before it are
// ignored), clears the rise/fall counter and wakes the probe loop.
func (c *Checker) operate(backend, reason string, next func(State) (State, error)) error {
	t, err := c.lookup(backend)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	to, err := next(t.state)
	if err != nil {
		return fmt.Errorf("%s: %w", backend, err)
	}
	if to == t.state {
		return nil
	}
	t.gen++
	t.cnt = counter{}
	c.transition(t, to, reason)
	t.nudge()
	return nil
}

func (c *Checker) lookup(backend string) (*tracked, error) {
	t, ok := c.byName[backend]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownBackend, backend)
	}
	return t, nil
}
