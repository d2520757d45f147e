package bmdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

// Process is one kind of work, a control loop: it is due for every machine in stage From, and
// moves the machine to stage To when it succeeds. A backoff.Permanent failure moves the
// machine to DropTo, or, if DropTo is empty, parks it (a backoff that never ends).
type Process struct {
	Name   string
	From   string
	To     string
	DropTo string
}

// Lease is the key [reconcile.Run] hands to a sync: the machine to work on, and the lease that
// lets this process do it. Token is the fencing token: it grows every time the work on the
// machine changes hands, and a report ([Source.Done]) with an old token is refused.
type Lease struct {
	Machine string
	Process string
	Session int64
	Token   int64
}

// DefaultMachineBackoff is the per-machine backoff after a failed sync unless
// [SourceBackoff] says otherwise: 1 s doubling up to 10 minutes, ±50% jitter.
var DefaultMachineBackoff = backoff.Policy{Initial: time.Second, Multiplier: 2, Max: 10 * time.Minute}

// Source is a [reconcile.Source] of leases on the machines that need one [Process]. Get claims
// due machines in batches and hands them out one at a time; Done reports the outcome under a
// fencing check. It is safe for concurrent use. Make one with [Session.Source].
type Source struct {
	sess    *Session
	proc    Process
	batch   int
	poll    time.Duration
	policy  backoff.Policy
	jitter  func() float64
	claimMu chan struct{} // a one-slot semaphore: one claim at a time, waited on with a context

	mu  sync.Mutex
	buf []Lease // claimed and not handed out yet; their leases live with the session

	group group // PostgreSQL's group commit of successes
}

var _ reconcile.Source[Lease] = (*Source)(nil)

// SourceOption configures [Session.Source].
type SourceOption func(*Source)

// SourceBatch sets how many machines one claim takes at most (default 16).
func SourceBatch(n int) SourceOption { return func(s *Source) { s.batch = max(n, 1) } }

// SourcePoll sets how long Get waits before it looks again when no machine is due (default
// 100 ms). Only one worker of a Source polls; the others wait for it.
func SourcePoll(d time.Duration) SourceOption { return func(s *Source) { s.poll = d } }

// SourceBackoff sets the per-machine backoff after a failed sync (default
// [DefaultMachineBackoff]). Initial, Multiplier, Max and Jitter are used; a Source never
// gives up on a machine by itself.
func SourceBackoff(p backoff.Policy) SourceOption { return func(s *Source) { s.policy = p } }

// Source returns the work source of process p in this session. It does no I/O.
func (s *Session) Source(p Process, opts ...SourceOption) *Source {
	src := &Source{sess: s, proc: p, batch: 16, poll: 100 * time.Millisecond,
		policy: DefaultMachineBackoff, jitter: rand.Float64, claimMu: make(chan struct{}, 1)}
	for _, opt := range opts {
		opt(src)
	}
	return src
}

// Get returns a lease on a machine that needs the source's process, claiming a batch from the
// database when it has none left. It blocks until a machine is due or ctx ends (then it
// returns ctx's cause). A database error is retried for up to one session TTL, then returned,
// which stops [reconcile.Run]; so is [ErrSessionExpired].
func (s *Source) Get(ctx context.Context) (Lease, error) {
	for {
		if l, ok := s.pop(); ok {
			s.refill(ctx)
			return l, nil
		}
		select {
		case s.claimMu <- struct{}{}:
		case <-ctx.Done():
			return Lease{}, context.Cause(ctx)
		}
		l, err := s.claimAndPop(ctx)
		<-s.claimMu
		if err != nil || l != (Lease{}) {
			return l, err
		}
	}
}

// claimAndPop claims a batch, keeps it and pops one; it waits one poll interval and returns a
// zero Lease if no machine is due. Its caller holds claimMu.
func (s *Source) claimAndPop(ctx context.Context) (Lease, error) {
	if l, ok := s.pop(); ok { // another worker claimed while this one waited for the semaphore
		return l, nil
	}
	policy := backoff.Policy{Initial: 50 * time.Millisecond, Max: s.sess.ttl / 4, MaxElapsed: s.sess.ttl}
	leases, err := backoff.RetryValue(ctx, policy, func(ctx context.Context) ([]Lease, error) {
		ls, err := s.claimCollecting(ctx)
		if errors.Is(err, ErrSessionExpired) {
			return nil, backoff.Permanent(err)
		}
		return ls, err
	})
	switch {
	case ctx.Err() != nil:
		return Lease{}, context.Cause(ctx)
	case err != nil:
		return Lease{}, fmt.Errorf("bmdb: claim %s: %w", s.proc.Name, err)
	case len(leases) == 0:
		if !backoff.Sleep(ctx, s.poll) {
			return Lease{}, context.Cause(ctx)
		}
		return Lease{}, nil
	}
	s.mu.Lock()
	s.buf = append(s.buf, leases[1:]...)
	s.mu.Unlock()
	return leases[0], nil
}

// claimCollecting claims; if the claim saw an expired session, it collects it first (so that
// the claim can take over its leases: claims go by machine id, and a dead worker's machines
// are the lowest still due) and claims again.
func (s *Source) claimCollecting(ctx context.Context) ([]Lease, error) {
	ls, err := s.claim(ctx)
	if !errors.Is(err, errCollect) {
		return ls, err
	}
	if _, err := s.sess.db.GC(ctx); err != nil {
		return nil, err
	}
	return s.claim(ctx)
}

// refill tops the buffer up ahead of need: when it holds less than half a batch and no claim
// runs, this worker claims now (once, with no retry), while the others go on working from
// the buffer. An error is left for the next Get that finds the buffer empty.
func (s *Source) refill(ctx context.Context) {
	s.mu.Lock()
	low := len(s.buf) < s.batch/2
	s.mu.Unlock()
	if !low {
		return
	}
	select {
	case s.claimMu <- struct{}{}:
	default:
		return // a claim is running
	}
	defer func() { <-s.claimMu }()
	if leases, err := s.claimCollecting(ctx); err == nil {
		s.mu.Lock()
		s.buf = append(s.buf, leases...)
		s.mu.Unlock()
	}
}

func (s *Source) pop() (Lease, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) == 0 {
		return Lease{}, false
	}
	l := s.buf[0]
	s.buf = s.buf[1:]
	return l, true
}

// Release gives back the leases this source claimed but has not handed out, so that other
// processes can take them at once. Call it after [reconcile.Run] returned. It blocks on the
// database.
func (s *Source) Release(ctx context.Context) error {
	s.mu.Lock()
	leases := s.buf
	s.buf = nil
	s.mu.Unlock()
	for _, l := range leases {
		if err := s.release(ctx, l); err != nil {
			return fmt.Errorf("bmdb: release %s of %q: %w", l.Process, l.Machine, err)
		}
	}
	return nil
}

// release frees l if it is still held with its token.
func (s *Source) release(ctx context.Context, l Lease) error {
	_, err := s.sess.db.exec(ctx, s.sess.db.sql, `UPDATE work SET session_id = NULL
		WHERE machine_id = ? AND process = ? AND session_id = ? AND token = ?`,
		l.Machine, l.Process, l.Session, l.Token)
	return err
}
