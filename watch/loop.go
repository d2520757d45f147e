package watch

import (
	"context"
	"errors"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// loop is one run of a resource: the per-run state around the resource's lasting state.
// Everything here is owned by the loop's goroutine.
type loop struct {
	r      *resource
	h      Handler
	cfg    *config
	sched  *backoff.Schedule // the stream's failures; reset by a stream's progress
	hsched *backoff.Schedule // the handler's failures on one event; reset by its acknowledgement
	phase  State             // StateWatching or StateRelisting: where a backoff returns to

	opened      time.Time // when the current stream opened
	received    int       // events and bookmarks that made progress on the current stream
	quickCloses int       // streams in a row that closed at once with no event
	hotRelist   bool      // relisted, and no event received since
	initial     *initial  // a streaming list until its closing bookmark; nil otherwise
}

// action is what the loop does after an attempt.
type action int

const (
	reopenNow   action = iota // re-open the stream at once
	reopenAfter               // re-open after delay
	relistNext                // relist (or resync), after delay if relists come back to back
	giveUp                    // stop and report the resource as failed
	stop                      // the resource's context ended
)

// outcome is the named result of classifying how an attempt ended.
type outcome struct {
	act    action
	delay  time.Duration
	err    error // what ended the attempt; nil for a normal close
	reason error // for giveUp
}

// run loops over attempts until the context ends (nil) or the resource gives up.
func (l *loop) run(ctx context.Context) *GiveUpError {
	for {
		o := l.decide(ctx, l.attempt(ctx))
		switch o.act {
		case stop:
			l.r.setState(StateStopped, nil, l.attempts())
			return nil
		case giveUp:
			return l.giveUp(o)
		}
		if !l.pause(ctx, o) {
			l.r.setState(StateStopped, nil, l.attempts())
			return nil
		}
	}
}

// attempt runs what is pending (a resync, a relist) and then one stream, until it ends. Each
// step checks the context first: nothing is opened, listed or called once it has ended.
func (l *loop) attempt(ctx context.Context) error {
	if l.r.needResync {
		if err := l.resync(ctx); err != nil {
			return err
		}
	}
	if l.r.needRelist && l.streams() {
		return l.watchList(ctx)
	}
	if l.r.needRelist {
		if err := l.relist(ctx); err != nil {
			return err
		}
	}
	return l.watch(ctx)
}

// decide classifies how an attempt ended. It does no I/O; it only updates the counters that
// tell a burst of failures from a single one.
func (l *loop) decide(ctx context.Context, err error) outcome {
	var gu *gaveUp
	switch {
	case ctx.Err() != nil:
		return outcome{act: stop}
	case errors.As(err, &gu):
		return outcome{act: giveUp, reason: gu.reason, err: gu.last}
	case errors.Is(err, ErrClosedEarly):
		if l.quickCloses++; l.quickCloses == 1 {
			return outcome{act: reopenNow, err: err}
		}
		return quickRetry(l.sched, err)
	}
	l.quickCloses = 0 // anything but a quick close breaks the row
	if err == nil || errors.Is(err, ErrIdle) {
		return outcome{act: reopenNow, err: err}
	}
	switch classify(err) {
	case classRelist:
		return l.expired(err)
	case classRejected:
		return outcome{act: giveUp, reason: ErrRejected, err: err}
	case classMalformed:
		return outcome{act: giveUp, reason: ErrMalformed, err: err}
	}
	return retry(l.sched, err)
}

// expired is the outcome of a 410: relist at once, or after the backoff delay when the last
// relist was followed by no event.
func (l *loop) expired(err error) outcome {
	if !l.hotRelist {
		return outcome{act: relistNext, err: err}
	}
	o := retry(l.sched, err)
	if o.act == reopenAfter {
		o.act = relistNext
	}
	return o
}

// retry is the outcome of a failure that may be retried on schedule s: a Permanent error gives
// up, otherwise s sets the delay, or a positive Retry-After hint within the budget does.
func retry(s *backoff.Schedule, err error) outcome {
	if inner, ok := backoff.IsPermanent(err); ok {
		return outcome{act: giveUp, reason: ErrPermanent, err: inner}
	}
	d, ok := s.Next()
	if !ok {
		return outcome{act: giveUp, reason: s.Reason(), err: err}
	}
	if hint, ok := retryHint(err); ok {
		if hint > s.Remaining() {
			return outcome{act: giveUp, reason: backoff.ErrDeadline, err: err}
		}
		d = hint
	}
	return outcome{act: reopenAfter, delay: max(d, 0), err: err}
}

// quickRetry is the outcome of a quick close after another: a failure on the stream's schedule,
// which counts it against the budget, but never waiting longer than the policy's first delay. A
// server that closes streams at once is one that is starting (electing a leader, loading its
// cache): a doubled delay would land the retry long after it is back, while the first delay
// is enough to stop a hot loop.
func quickRetry(s *backoff.Schedule, err error) outcome {
	o := retry(s, err)
	if o.act == reopenAfter {
		o.delay = min(o.delay, s.Policy().Delay(1))
	}
	return o
}

// attempts is the failures in a row: the stream's, and the handler's on the current event.
func (l *loop) attempts() int { return l.sched.Failures() + l.hsched.Failures() }

// pause acts on an outcome that continues the loop: it marks a relist, calls the hooks and
// waits for the delay. It returns false if the context ended during the wait.
func (l *loop) pause(ctx context.Context, o outcome) bool {
	if o.act == relistNext {
		l.markRelist(o.err)
	}
	if l.cfg.hooks.OnRestart != nil {
		l.cfg.hooks.OnRestart(Restart{Resource: l.r.name, Err: o.err, Delay: o.delay, Attempt: l.sched.Failures()})
	}
	if o.delay <= 0 {
		l.r.setState(l.phase, o.err, l.attempts())
		return ctx.Err() == nil
	}
	l.r.setState(StateBackoff, o.err, l.attempts())
	return backoff.Sleep(ctx, o.delay)
}

// giveUp records and reports the end of the resource.
func (l *loop) giveUp(o outcome) *GiveUpError {
	err := &GiveUpError{Resource: l.r.name, Reason: o.reason, Last: o.err}
	l.r.setFailed(err, o.err, l.attempts())
	if l.cfg.hooks.OnGiveUp != nil {
		l.cfg.hooks.OnGiveUp(err)
	}
	return err
}
