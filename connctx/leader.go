package connctx

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// LeaderFunc is the work a [Leader] does while it holds the lease: a [SessionFunc] given the
// [Lease] instead of a connection. ctx ends when the lease is lost (with a [*LeaseLostError]
// as its cause), when a goroutine started with g returns an error, or when Run's context
// ends; it carries the lease's deadline (see [Leader]). Every goroutine it needs it starts
// with g.Go; it must not keep ctx after it returns. Returning ends the term: the lease is
// released and the Leader campaigns again, after the restart backoff; a [backoff.Permanent]
// error ends Run with the error inside it.
type LeaderFunc func(ctx context.Context, lease Lease, g *errgroup.Group) error

// Leader runs a session only while it holds a lease, on [Supervise]: acquiring is dialling,
// the renewals are the lifetime, releasing is closing. Each term:
//
//  1. acquire the lease, retrying under [WithDialPolicy]: a lease held by another is a failed
//     attempt, a [*HeldError];
//  2. renew it in the background every [WithRenewInterval], jittered;
//  3. run the session with a context that ends with a [*LeaseLostError] when a renewal finds
//     another holder, or when no renewal succeeded within [WithRenewDeadline] of the start of
//     the last one that did. That moment is the context's deadline, on the monotonic clock,
//     and it moves later with each renewal;
//  4. when the session returns or its context ends: cancel the context, wait for the session
//     and every goroutine it started, then release the lease (unless a renewal found it
//     taken), bounded by the renew deadline;
//  5. wait under [WithRestartPolicy] and go back to 1.
//
// The zero Leader is not usable: make one with [NewLeader]. Its methods are safe for
// concurrent use.
type Leader struct {
	lock    Lock
	session LeaderFunc
	o       leaseOptions
	running atomic.Bool

	mu     sync.Mutex // guards terms and status
	terms  int
	status LeaseStatus
}

// NewLeader returns a Leader that runs session while it holds lock's lease. It does no I/O
// and starts nothing. A nil lock or session (a typed nil too) or an option out of range (see
// [LeaseOption]) is an error matching [ErrInvalid].
func NewLeader(lock Lock, session LeaderFunc, opts ...LeaseOption) (*Leader, error) {
	o, err := newLeaseOptions(opts)
	switch {
	case err != nil:
		return nil, err
	case isNil(lock):
		return nil, invalid("nil lock")
	case session == nil:
		return nil, invalid("nil session function")
	}
	l := &Leader{lock: lock, session: session, o: o}
	l.status = LeaseStatus{State: LeaderStopped, Identity: o.identity}
	return l, nil
}

// Identity returns the identity the Leader holds the lease under.
func (l *Leader) Identity() string { return l.o.identity }

// Run campaigns for the lease and runs the session in every term it wins. It blocks until
// ctx ends, when it returns nil, or until it gives up as [Supervise] does (a
// [backoff.Permanent] error from Acquire or the session, a spent budget). Nothing it started
// is running when it returns, and the lease it held is released. A nil ctx or Leader, or a
// second Run of the same Leader while one runs, is an error matching [ErrInvalid].
func (l *Leader) Run(ctx context.Context) error {
	switch {
	case l == nil || l.lock == nil:
		return invalid("nil or zero Leader: use NewLeader")
	case isNil(ctx):
		return invalid("nil context")
	case !l.running.CompareAndSwap(false, true):
		return invalid("Run of this Leader is already running")
	}
	defer l.running.Store(false)
	l.setState(LeaderAcquiring)
	defer l.setState(LeaderStopped)
	return Supervise(ctx, l.acquire, l.lifetime, l.runTerm, l.o.supervise...)
}

func (l *Leader) claim() Claim { return Claim{Identity: l.o.identity, Duration: l.o.duration} }

// acquire is Supervise's dial: one attempt at the lease. The term's first deadline counts
// from the start of the attempt, since the store may have started the lease at any moment
// after it.
func (l *Leader) acquire(ctx context.Context) (*term, error) {
	c := l.claim()
	start := time.Now()
	h, err := l.lock.Acquire(ctx, c)
	switch {
	case err != nil:
		err = fmt.Errorf("connctx: acquire: %w", err)
	case h == Holder{}:
		err = invalid("Acquire returned no holder and no error")
	case h.Identity != c.Identity:
		err = &HeldError{Holder: h}
	}
	l.observe(h, err)
	if err != nil {
		return nil, err
	}
	return &term{l: l, lease: Lease{Holder: h, Acquired: start}, deadline: start.Add(l.o.renewDeadline)}, nil
}

// lifetime is Supervise's lifetime: it starts the term's renewer and its watchdog, which end
// the context when the lease is lost, and returns a cancel that stops both and waits for them.
func (l *Leader) lifetime(ctx context.Context, t *term) (context.Context, context.CancelFunc, error) {
	lctx, cancel := context.WithCancelCause(ctx)
	l.mu.Lock()
	l.terms++
	t.lease.Term = l.terms
	l.mu.Unlock()
	t.cancel = cancel
	if t.expireIfDue() { // the acquire took longer than the renew deadline
		return lctx, func() { cancel(nil) }, nil
	}
	l.leading(t)
	stopRenewer := watch(cancel, "the lock's Renew", func() { t.renew(lctx) })
	stopWatchdog := watch(cancel, "the lease's watchdog", func() { t.watchdog(lctx) })
	return lctx, func() {
		defer stopWatchdog()
		stopRenewer()
	}, nil
}

// runTerm is Supervise's session: the caller's session, with the lease's context. A lease
// whose deadline passed before the session could start is not used.
func (l *Leader) runTerm(ctx context.Context, t *term, g *errgroup.Group) error {
	lctx := &leaseContext{Context: ctx, t: t}
	if lctx.Err() != nil {
		return nil
	}
	return l.session(lctx, t.lease, g)
}
