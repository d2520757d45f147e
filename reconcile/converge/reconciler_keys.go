package converge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// keyLog is what one Reconcile call remembers of a key across its passes.
type keyLog struct {
	failures int   // failed create calls, and resources this call created found failed
	last     error // the last of those failures
	created  bool  // this call made a create call for the key: its resource is this call's
	counted  bool  // the key's current resource was found failed, and counted
	gone     bool  // this call destroyed the key's resource and has not yet seen it vanish
}

func (x *reconcileRun[R]) log(key string) *keyLog {
	l := x.ledger[key]
	if l == nil {
		l = &keyLog{}
		x.ledger[key] = l
	}
	return l
}

// fail counts a failure of key.
func (x *reconcileRun[R]) fail(key string, err error) {
	l := x.log(key)
	l.failures++
	l.last, x.last = err, err
}

// noteCreated records that a create call for key was made: a new resource may exist, whose
// own failure counts.
func (x *reconcileRun[R]) noteCreated(key string) {
	l := x.log(key)
	l.created, l.counted = true, false
}

// foundFailed counts a resource found in PhaseFailed, by the wait after its create or by a
// pass's observe, if this call created it and its failure is not counted yet: once per
// creation, however many times it is seen failed.
func (x *reconcileRun[R]) foundFailed(rs []R) {
	for _, r := range rs {
		k := x.r.key(r)
		if l := x.log(k); l.created && !l.counted {
			l.counted = true
			x.fail(k, fmt.Errorf("%s %w", k, errEndedFailed))
		}
	}
}

// checkLimit returns a StuckError naming the resources of rs that failed too often.
func (x *reconcileRun[R]) checkLimit(rs []R) error {
	var keys []string
	var errs []error
	for _, r := range rs {
		if l := x.log(x.r.key(r)); l.failures >= x.r.o.replaceLimit {
			keys = append(keys, x.r.key(r))
			errs = append(errs, l.last)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return &StuckError{Reason: ErrReplaceLimit, Resources: keys, Last: errors.Join(errs...)}
}

// noteDestroyed records the resources of rs whose destroy call returned nil: until an observe
// no longer lists them, they are waited for and not destroyed again.
func (x *reconcileRun[R]) noteDestroyed(rs []R, errs []error) {
	for i, err := range errs {
		if err == nil {
			x.log(x.r.key(rs[i])).gone = true
		}
	}
}

// going tells planFrom which observed keys this call destroyed; it forgets, first, those that
// observed no longer lists, so that they can be created again.
func (x *reconcileRun[R]) going(observed []Observed[R]) func(key string) bool {
	listed := make(map[string]bool, len(observed))
	for _, o := range observed {
		listed[x.r.key(o.Resource)] = true
	}
	for k, l := range x.ledger {
		if l.gone && !listed[k] {
			l.gone = false
		}
	}
	return func(key string) bool { l := x.ledger[key]; return l != nil && l.gone }
}

// errStillObserved is the Last error of the wait for destroyed resources that did not vanish.
var errStillObserved = errors.New("destroyed, and still observed")

// lingerWait is the wait for destroyed resources that are still observed.
type lingerWait struct {
	s        *backoff.Schedule
	start    time.Time
	attempts int
}

// awaitGone waits one delay of the ready policy for resources this call destroyed that are
// still observed (a system that deletes asynchronously), so that the next pass observes again;
// when the policy gives up, it returns a StuckError matching ErrNoProgress naming them.
func (x *reconcileRun[R]) awaitGone(ctx context.Context, going []R) error {
	if x.linger == nil {
		s, err := backoff.NewSchedule(x.r.o.ready) // validated by newRun
		if err != nil {
			return err
		}
		x.linger = &lingerWait{s: s, start: time.Now()}
	}
	w := x.linger
	d, ok := w.s.Next()
	if !ok {
		last := &backoff.ExhaustedError{Reason: w.s.Reason(), Last: errStillObserved, Attempts: w.attempts,
			Elapsed: time.Since(w.start)}
		return &StuckError{Reason: ErrNoProgress, Resources: x.keys(going), Last: last}
	}
	w.attempts++
	x.r.o.waited(WaitInfo{Attempt: w.attempts, Pending: len(going), Delay: d})
	if !backoff.Sleep(ctx, d) {
		return x.stopped(ctx)
	}
	return nil
}
