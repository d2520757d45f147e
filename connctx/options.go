package connctx

import (
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/internal/hookset"

	"github.com/steadfast-go/steadfast/backoff"
)

// The default policies of [Supervise], described at [WithDialPolicy] and [WithRestartPolicy].
var (
	defaultDialPolicy    = backoff.Policy{MaxElapsed: backoff.Forever}
	defaultRestartPolicy = backoff.Policy{Initial: time.Second, Max: time.Minute, MaxElapsed: backoff.Forever}
)

// DefaultHealthyAfter is how long a session must last for the restart backoff to start again
// from its initial delay.
const DefaultHealthyAfter = 30 * time.Second

// Option configures [Supervise].
type Option func(*options)

type options struct {
	dial, restart backoff.Policy
	dialTimeout   time.Duration
	healthyAfter  time.Duration
	hooks         Hooks
}

// Connected describes a session that starts; [Hooks.OnConnected] receives it.
type Connected struct {
	Session int // 1 for the first session
}

// Lost describes a session that ended, after its teardown; [Hooks.OnLost] receives it.
type Lost struct {
	Session int           // 1 for the first session
	Cause   error         // why it ended: the lifetime's cause if it ended, else a goroutine's or the session's error
	Uptime  time.Duration // from the start of the session to its end
	Delay   time.Duration // the wait before the next dial; zero when Supervise returns
}

// WithDialPolicy sets the backoff between dial attempts. The default retries forever, from 500 ms
// up to 30 s between attempts (backoff.Policy{MaxElapsed: backoff.Forever}): a supervised
// connection is meant to come back whenever the peer does. A
// MaxElapsed or MaxAttempts is the dial budget: when it is spent, Supervise returns a
// [*backoff.ExhaustedError]. The schedule starts afresh for every connection.
func WithDialPolicy(p backoff.Policy) Option { return func(o *options) { o.dial = p } }

// WithDialTimeout bounds each dial attempt: its context ends after d, with cause
// [backoff.ErrAttemptTimeout], and the attempt counts as failed. Zero (the default) means none.
func WithDialTimeout(d time.Duration) Option { return func(o *options) { o.dialTimeout = d } }

// WithRestartPolicy sets the backoff between the end of a session and the next dial. The default
// waits 1 s after the first loss, doubling up to 1 minute, with no budget. It grows with each session shorter than [WithHealthyAfter] and starts
// again from Initial after a longer one. A MaxElapsed or MaxAttempts bounds how long, or how
// many times, short sessions may repeat in a row; when spent, Supervise returns a
// [*backoff.ExhaustedError] whose Last is the last loss cause.
func WithRestartPolicy(p backoff.Policy) Option { return func(o *options) { o.restart = p } }

// WithHealthyAfter sets how long a session must last to count as healthy, which resets the
// restart backoff (default [DefaultHealthyAfter]). It must not be negative.
func WithHealthyAfter(d time.Duration) Option { return func(o *options) { o.healthyAfter = d } }

// Hooks are the functions [Supervise] calls to report what it does, for metrics and logs. Each
// is optional: a nil field is absent. They run on Supervise's goroutine, so a hook that blocks
// delays the supervisor; a hook that panics is treated like a panicking session (see the
// package doc). The zero Hooks reports nothing.
type Hooks struct {
	// OnConnected is called when a session starts, after its lifetime context was derived and
	// before the session function runs.
	OnConnected func(Connected)
	// OnLost is called after a session was torn down (cancelled, its goroutines waited for, its
	// connection closed). Every OnConnected is followed by one OnLost, unless a panic ends
	// Supervise.
	OnLost func(Lost)
	// OnDialError is called after each failed dial attempt that will be retried, with the
	// error, the attempt number and the wait before the next one.
	OnDialError func(backoff.Retrying)
}

// WithHooks sets the functions Supervise calls to report what it does. Several WithHooks
// combine: each non-nil field replaces the one set before it, and a nil field leaves it.
func WithHooks(h Hooks) Option {
	return func(o *options) {
		hookset.Combine(&o.hooks, h)
	}
}

func newOptions(opts []Option) (options, error) {
	o := options{dial: defaultDialPolicy, restart: defaultRestartPolicy, healthyAfter: DefaultHealthyAfter}
	for _, opt := range opts {
		if opt != nil { // a nil option is absent
			opt(&o)
		}
	}
	if err := o.dial.Validate(); err != nil {
		return o, fmt.Errorf("%w: dial policy: %w", ErrInvalid, err)
	}
	if err := o.restart.Validate(); err != nil {
		return o, fmt.Errorf("%w: restart policy: %w", ErrInvalid, err)
	}
	if o.healthyAfter < 0 {
		return o, invalid("HealthyAfter %v is negative", o.healthyAfter)
	}
	if o.dialTimeout < 0 {
		return o, invalid("DialTimeout %v is negative", o.dialTimeout)
	}
	return o, nil
}
