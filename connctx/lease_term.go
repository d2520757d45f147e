package connctx

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// term is one tenure of the lease, the "connection" a Leader hands Supervise: acquired by its
// dial, renewed by its lifetime, released by Close. Its deadline is written by the renewer
// and read by the watchdog, the session's context and Status, under mu.
type term struct {
	l      *Leader
	lease  Lease
	cancel context.CancelCauseFunc // ends the lifetime context; set by lifetime

	mu       sync.Mutex
	deadline time.Time // the start of the last successful acquire or renewal + the renew deadline
	lastErr  error     // the last renewal's error; nil after a success
	ended    bool      // the lease was lost: cancel was called with a LeaseLostError
	taken    bool      // a renewal found another holder: there is nothing to release
}

// renew renews the lease every renew interval, jittered, until ctx ends or the lease is lost.
func (t *term) renew(ctx context.Context) {
	for {
		wait := t.l.o.renewInterval - rand.N(t.l.o.renewInterval/5+1)
		if !backoff.Sleep(ctx, wait) {
			return
		}
		start := time.Now()
		rctx, cancel := context.WithDeadline(ctx, t.currentDeadline())
		h, err := t.l.lock.Renew(rctx, t.l.claim(), t.lease.Holder)
		cancel()
		if t.renewed(start, h, err) {
			return
		}
	}
}

// renewed applies the outcome of a renewal that started at start, and reports whether the
// lease is lost. A renewal that returns after the deadline does not revive the lease.
func (t *term) renewed(start time.Time, h Holder, err error) (lost bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		return true
	}
	lostErr := &LeaseLostError{Held: t.lease.Holder, Holder: t.lease.Holder, Deadline: t.deadline}
	switch inner, permanent := backoff.IsPermanent(err); {
	case permanent:
		lostErr.Err = inner
	case err != nil:
		t.lastErr = err
		t.l.renewFailed(err)
		return false
	case h != t.lease.Holder:
		lostErr.Holder, t.taken = h, true
		t.l.observe(h, nil)
	case !time.Now().Before(t.deadline):
		lostErr.Expired, lostErr.Err = true, t.lastErr
	default:
		t.deadline, t.lastErr = start.Add(t.l.o.renewDeadline), nil
		t.l.renewedAt(start, t.deadline)
		return false
	}
	t.end(lostErr)
	return true
}

// watchdog ends the lease at its deadline, whatever the renewer is doing: a Renew that does
// not return does not keep the lease alive. It returns when ctx ends.
func (t *term) watchdog(ctx context.Context) {
	for {
		timer := time.NewTimer(time.Until(t.currentDeadline()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if t.expireIfDue() {
			return
		}
	}
}

// expireIfDue ends the lease if its deadline has passed, reading the clock, and reports
// whether the lease is lost. It is what makes a check after a freeze see the loss at once,
// before the watchdog's timer has run.
func (t *term) expireIfDue() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		return true
	}
	if time.Now().Before(t.deadline) {
		return false
	}
	t.end(&LeaseLostError{Held: t.lease.Holder, Holder: t.lease.Holder, Deadline: t.deadline, Expired: true, Err: t.lastErr})
	return true
}

// end ends the lifetime context with cause. Called with t.mu held.
func (t *term) end(cause *LeaseLostError) {
	t.ended = true
	t.cancel(cause)
}

func (t *term) currentDeadline() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.deadline
}

// Close releases the lease, unless a renewal found it taken. Supervise calls it once, after
// the session and its goroutines have returned, so nothing acts on the lease any more. It is
// bounded by the renew deadline; a release that fails leaves the lease to expire.
func (t *term) Close() error {
	t.l.setState(LeaderAcquiring)
	t.mu.Lock()
	taken := t.taken
	t.mu.Unlock()
	if taken {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), t.l.o.renewDeadline)
	defer cancel()
	h, err := t.l.lock.Release(ctx, t.l.claim(), t.lease.Holder)
	t.l.observe(h, err)
	return err
}
