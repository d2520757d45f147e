package vpp

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of the [Checker]'s operator calls and of Run. Match them with errors.Is.
var (
	ErrUnknownBackend = errors.New("vpp: unknown backend")
	ErrIsDisabled     = errors.New("vpp: backend is disabled") // pause or resume of a disabled backend
	ErrRunning        = errors.New("vpp: already running")     // a second Run
)

// HistoryLen is how many transitions [Status.History] keeps per backend, newest last.
const HistoryLen = 32

// Checker health-checks backends and tracks their [State]: one probe loop per backend, which
// checks at once when Run starts (so a static backend is up at the first check, not after an
// interval), then every Interval while the backend is unknown, up or down. Disabled and paused
// backends are not checked. Every transition is reported, with its from and to states, to the
// functions given with [OnTransition], and kept in the backend's history.
//
// A Checker is safe for concurrent use. NewChecker starts nothing; Run starts the probe loops
// and blocks.
type Checker struct {
	prober  Prober
	hooks   []func(Event)
	order   []*tracked
	byName  map[string]*tracked
	started atomic.Bool

	// stateMu is held for writing around every write of a backend's state and since (with
	// that backend's own lock held too), and for reading by Snapshot, so that a snapshot of
	// many backends is one moment. Lock order: a backend's mu, then stateMu.
	stateMu sync.RWMutex

	undecided atomic.Int64  // backends that have not left unknown since the checker was made
	settled   chan struct{} // closed when undecided reaches zero
}

// CheckerOption configures a [Checker].
type CheckerOption func(*Checker)

// WithProber sets how backends are checked (default [NetProber]): a fake in tests.
func WithProber(p Prober) CheckerOption {
	return func(c *Checker) {
		if p != nil {
			c.prober = p
		}
	}
}

// OnTransition adds fn to the functions called on every transition. fn is called with the
// backend's lock held, so that a backend's events arrive in order: it must not block, nor call
// the Checker's methods for the same backend (State and Status included).
func OnTransition(fn func(Event)) CheckerOption {
	return func(c *Checker) {
		if fn != nil {
			c.hooks = append(c.hooks, fn)
		}
	}
}

// NewChecker returns a checker for backends, each starting unknown, or disabled if the config
// says so. It does not validate the backends (see [Config.Validate]) and starts nothing.
func NewChecker(backends []Backend, opts ...CheckerOption) *Checker {
	c := &Checker{prober: NetProber{}, byName: map[string]*tracked{}, settled: make(chan struct{})}
	for _, o := range opts {
		o(c)
	}
	for _, b := range backends {
		t := &tracked{b: b, wake: make(chan struct{}, 1), since: time.Now()}
		if b.Disabled {
			t.state, t.decided = StateDisabled, true
		} else {
			c.undecided.Add(1)
		}
		c.order = append(c.order, t)
		c.byName[b.Name] = t
	}
	if c.undecided.Load() == 0 {
		close(c.settled)
	}
	return c
}

// FirstRound returns a channel that is closed once every backend has left the unknown state it
// started in (decided by its first check, or disabled or paused before it). Since each first
// check is bounded by its Timeout, that happens soon after Run starts. The controller waits for
// it before its first sync, so that a controller restarted in front of a dataplane that is
// serving does not drain every backend while their states are still unknown.
func (c *Checker) FirstRound() <-chan struct{} { return c.settled }

// Run checks the backends until ctx ends, then returns nil once every probe loop has ended (a
// probe in flight sees its context end). It returns [ErrRunning] at once if called again.
func (c *Checker) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	var wg sync.WaitGroup
	for _, t := range c.order {
		wg.Go(func() { c.loop(ctx, t) })
	}
	wg.Wait()
	return nil
}

// loop is one backend's probe loop: probe while active, then wait for the interval or an
// operator's wake-up.
func (c *Checker) loop(ctx context.Context, t *tracked) {
	for {
		gen, active := t.snapshot()
		if active {
			err := c.probe(ctx, t.b)
			if ctx.Err() != nil {
				return
			}
			c.record(t, gen, err)
		}
		if !t.wait(ctx, active) {
			return
		}
	}
}

func (c *Checker) probe(ctx context.Context, b Backend) error {
	if b.Check.Type == CheckNone {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.Check.Timeout)
	defer cancel()
	return c.prober.Probe(ctx, b)
}

// record applies one result, unless an operator changed the backend since the probe started
// (gen moved on): a probe begun before a disable and enable must not decide the fresh unknown.
func (c *Checker) record(t *tracked, gen uint64, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen != t.gen || t.state == StateDisabled || t.state == StatePaused {
		return
	}
	t.lastErr = err
	rise, fall := max(t.b.Check.Rise, 1), max(t.b.Check.Fall, 1)
	next := t.cnt.record(t.state, err == nil, rise, fall)
	if next == t.state {
		return
	}
	reason := "check passed"
	if err != nil {
		reason = err.Error()
	}
	c.transition(t, next, reason)
}

// transition moves t to state to and reports it; t.mu must be held.
func (c *Checker) transition(t *tracked, to State, reason string) {
	ev := Event{Backend: t.b.Name, From: t.state, To: to, At: time.Now(), Reason: reason}
	if !t.decided {
		t.decided = true
		if c.undecided.Add(-1) == 0 {
			close(c.settled)
		}
	}
	c.stateMu.Lock()
	t.state, t.since = to, ev.At
	c.stateMu.Unlock()
	t.transitions++
	t.history = append(t.history, ev)
	if len(t.history) > HistoryLen {
		t.history = t.history[1:]
	}
	for _, fn := range c.hooks {
		fn(ev)
	}
}
