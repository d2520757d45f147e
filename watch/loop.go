package watch

import (
	"context"
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/steadfast-go/steadfast/backoff"
)

// loop is one run of a resource: the per-run state around the resource's lasting state.
// Everything here is owned by the loop's goroutine.
type loop struct {
	r     *resource
	h     Handler
	cfg   *config
	sched *backoff.Schedule
	phase State // StateWatching or StateRelisting: where a backoff returns to

	opened      time.Time // when the current stream opened
	received    int       // events and bookmarks received on the current stream
	quickCloses int       // streams in a row that closed at once with no event
	hotRelist   bool      // relisted, and no event received since
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
			l.r.setState(StateStopped, nil, l.sched.Failures())
			return nil
		case giveUp:
			return l.giveUp(o)
		}
		if !l.pause(ctx, o) {
			l.r.setState(StateStopped, nil, l.sched.Failures())
			return nil
		}
	}
}

// attempt runs what is pending (a resync, a relist) and then one stream, until it ends.
func (l *loop) attempt(ctx context.Context) error {
	if l.r.needResync {
		if err := l.resync(ctx); err != nil {
			return err
		}
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
	var gu *GiveUpError
	switch {
	case ctx.Err() != nil:
		return outcome{act: stop}
	case errors.As(err, &gu):
		return outcome{act: giveUp, reason: gu.Reason, err: gu.Last}
	case err == nil, errors.Is(err, ErrIdle):
		return outcome{act: reopenNow, err: err}
	case errors.Is(err, ErrClosedEarly):
		if l.quickCloses++; l.quickCloses == 1 {
			return outcome{act: reopenNow, err: err}
		}
		return l.retry(err)
	case isExpired(err):
		if !l.hotRelist {
			return outcome{act: relistNext, err: err}
		}
		o := l.retry(err) // relisted and expired again before any event: back off
		if o.act == reopenAfter {
			o.act = relistNext
		}
		return o
	case isRejected(err):
		return outcome{act: giveUp, reason: ErrRejected, err: err}
	case errors.Is(err, ErrMalformed):
		return outcome{act: giveUp, reason: ErrMalformed, err: err}
	}
	return l.retry(err)
}

// retry is the outcome of a failure that may be retried: a Permanent error gives up, otherwise
// the schedule (and a server's or handler's Retry-After hint, within the budget) sets the delay.
func (l *loop) retry(err error) outcome {
	if inner, ok := backoff.IsPermanent(err); ok {
		return outcome{act: giveUp, reason: ErrPermanent, err: inner}
	}
	d, ok := l.sched.Next()
	if !ok {
		return outcome{act: giveUp, reason: l.sched.Reason(), err: err}
	}
	if hint, ok := retryHint(err); ok {
		if hint > l.sched.Remaining() {
			return outcome{act: giveUp, reason: backoff.ErrDeadline, err: err}
		}
		d = hint
	}
	return outcome{act: reopenAfter, delay: d, err: err}
}

// retryHint returns a RetryAfter hint from a handler, or a server's Retry-After (a 429 or 5xx
// Status with RetryAfterSeconds).
func retryHint(err error) (time.Duration, bool) {
	if d, ok := backoff.RetryAfterHint(err); ok {
		return d, true
	}
	if s, ok := apierrors.SuggestsClientDelay(err); ok {
		return time.Duration(s) * time.Second, true
	}
	return 0, false
}

// pause acts on an outcome that continues the loop: it marks a relist, calls the hooks and
// waits for the delay. It returns false if the context ended during the wait.
func (l *loop) pause(ctx context.Context, o outcome) bool {
	if o.act == relistNext {
		l.markRelist(o.err)
	}
	if l.cfg.onRestart != nil {
		l.cfg.onRestart(Restart{Resource: l.r.name, Err: o.err, Delay: o.delay, Attempt: l.sched.Failures()})
	}
	if o.delay <= 0 {
		l.r.setState(l.phase, o.err, l.sched.Failures())
		return true
	}
	l.r.setState(StateBackoff, o.err, l.sched.Failures())
	return backoff.Sleep(ctx, o.delay)
}

// giveUp records and reports the end of the resource.
func (l *loop) giveUp(o outcome) *GiveUpError {
	err := &GiveUpError{Resource: l.r.name, Reason: o.reason, Last: o.err}
	l.r.setState(StateFailed, o.err, l.sched.Failures())
	if l.cfg.onGiveUp != nil {
		l.cfg.onGiveUp(err)
	}
	return err
}
