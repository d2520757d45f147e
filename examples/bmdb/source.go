package bmdb

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

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
//
// Key is the idempotency key of the work: the token of the lease that began it. It stays the
// same while the work is retried and when an expired lease is taken over, and changes only
// once the work was done or dropped, so that a call to the outside world repeated after a
// takeover carries the key of the attempt that may already have acted. Pass it as the
// request id of such calls (see [Request]).
type Lease struct {
	Machine string
	Process string
	Session int64
	Token   int64
	Key     int64
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
	batch   int // 0: twice the workers in Get or holding a lease, at least minBatch
	poll    time.Duration
	policy  backoff.Policy
	jitter  func() float64
	limiter *rate.Limiter
	onClaim func(leases int, err error)
	claimMu chan struct{} // a one-slot semaphore: one claim at a time, waited on with a context
	users   atomic.Int64  // workers in Get or holding a lease

	mu   sync.Mutex
	buf  []Lease          // claimed and not handed out yet; their leases live with the session
	held map[string]int64 // machine -> token of every lease claimed and not yet reported
	// suspect: a claim failed, and may have taken leases whose answer was lost (a timeout
	// after the commit); the next claim adopts them first.
	suspect atomic.Bool

	group group // PostgreSQL's group commit of successes
}

var _ reconcile.Source[Lease] = (*Source)(nil)

// The bounds of a batch whose size follows the number of workers.
const (
	minBatch = 16
	maxBatch = 256
)

// SourceOption configures [Session.Source].
type SourceOption func(*Source)

// SourceBatch sets how many machines one claim takes at most. The default follows the work:
// twice the number of workers that are in Get or hold a lease, at least 16 and at most 256,
// so that one claim feeds every worker and the next one runs while they work.
func SourceBatch(n int) SourceOption { return func(s *Source) { s.batch = max(n, 1) } }

// SourcePoll sets how long Get waits before it looks again when no machine is due (default
// 100 ms). Only one worker of a Source polls; the others wait for it.
func SourcePoll(d time.Duration) SourceOption { return func(s *Source) { s.poll = d } }

// SourceBackoff sets the per-machine backoff after a failed sync (default
// [DefaultMachineBackoff]). Initial, Multiplier, Max and Jitter are used; a Source never
// gives up on a machine by itself.
func SourceBackoff(p backoff.Policy) SourceOption { return func(s *Source) { s.policy = p } }

// SourceQueryLimit makes every claim, the source's query for work, wait for a token of l
// first: the rate of claims, and so the load a control loop puts on the database, is bounded
// however many machines are due or workers wait (the origin's DBQueryLimiter). A limiter may
// be shared by the sources of several loops to bound them together. A claim made ahead of
// need, while workers still have leases, is skipped when no token is free at once. Nil (the
// default) means no limit.
func SourceQueryLimit(l *rate.Limiter) SourceOption { return func(s *Source) { s.limiter = l } }

// SourceOnClaim calls fn after every claim with the number of leases it took and its error
// (nil when it took none because none was due), for metrics and logs. It is called on the
// claiming worker's goroutine and must not block for long.
func SourceOnClaim(fn func(leases int, err error)) SourceOption {
	return func(s *Source) { s.onClaim = fn }
}

// Source returns the work source of process p in this session. It does no I/O.
func (s *Session) Source(p Process, opts ...SourceOption) *Source {
	src := &Source{sess: s, proc: p, poll: 100 * time.Millisecond,
		policy: DefaultMachineBackoff, jitter: rand.Float64, claimMu: make(chan struct{}, 1)}
	for _, opt := range opts {
		opt(src)
	}
	return src
}

// batchSize is how many machines the next claim takes at most.
func (s *Source) batchSize() int {
	if s.batch > 0 {
		return s.batch
	}
	return min(max(2*int(s.users.Load()), minBatch), maxBatch)
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

// push keeps leases just claimed for the workers.
func (s *Source) push(leases []Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]int64{}
	}
	for _, l := range leases {
		s.held[l.Machine] = l.Token
	}
	s.buf = append(s.buf, leases...)
}

// forget drops reported or released leases from the ones the source holds.
func (s *Source) forget(leases ...Lease) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range leases {
		if s.held[l.Machine] == l.Token {
			delete(s.held, l.Machine)
		}
	}
}

// Release gives back the leases this source claimed but has not handed out, so that other
// processes can take them at once. Call it after [reconcile.Run] returned. It blocks on the
// database, and gives up on a lease it cannot release (it then expires with the session).
func (s *Source) Release(ctx context.Context) error {
	s.mu.Lock()
	leases := s.buf
	s.buf = nil
	s.mu.Unlock()
	defer s.forget(leases...)
	return s.release(ctx, leases...)
}
