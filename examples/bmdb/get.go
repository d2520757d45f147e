package bmdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Get returns a lease on a machine that needs the source's process, claiming a batch from the
// database when it has none left. It blocks until a machine is due or ctx ends (then it
// returns ctx's cause, also if it holds leases not handed out yet). A transient database error ([Transient]: the database restarting or
// out of reach, a wait that ran out) is retried until ctx ends: in a session run by
// [Session.Run] or [DB.Serve], the heartbeats decide when the database has been gone too
// long. A claim that finds the session expired ends the session's context with a cause
// matching [ErrSessionLost] and returns an error matching ErrSessionLost and
// [ErrSessionExpired]; Get returns any other error, which stops [reconcile.Run].
func (s *Source) Get(ctx context.Context) (Lease, error) {
	s.users.Add(1) // until the lease is reported, or at once on an error
	for {
		if ctx.Err() != nil { // the session ended: hand out nothing more, Release gives it back
			s.users.Add(-1)
			return Lease{}, context.Cause(ctx)
		}
		if l, ok := s.pop(); ok {
			s.refill(ctx)
			return l, nil
		}
		select {
		case s.claimMu <- struct{}{}:
		case <-ctx.Done():
			s.users.Add(-1)
			return Lease{}, context.Cause(ctx)
		}
		l, err := s.claimAndPop(ctx)
		<-s.claimMu
		if err != nil {
			s.users.Add(-1)
			return Lease{}, err
		}
		if l != (Lease{}) {
			return l, nil
		}
	}
}

// claimAndPop claims a batch, keeps it and pops one; it waits one poll interval and returns a
// zero Lease if no machine is due. Its caller holds claimMu.
func (s *Source) claimAndPop(ctx context.Context) (Lease, error) {
	if l, ok := s.pop(); ok { // another worker claimed while this one waited for the semaphore
		return l, nil
	}
	ttl := s.sess.ttl
	policy := backoff.Policy{Initial: 50 * time.Millisecond, Max: ttl / 5, MaxElapsed: backoff.Forever}
	leases, err := retryTransient(ctx, policy, func(ctx context.Context) ([]Lease, error) {
		if !s.waitQueryToken(ctx) {
			return nil, backoff.Permanent(context.Cause(ctx))
		}
		return s.claimOnce(ctx)
	})
	s.push(leases) // before anything else, so that Release finds them if ctx ended meanwhile
	switch {
	case ctx.Err() != nil:
		return Lease{}, context.Cause(ctx)
	case errors.Is(err, ErrSessionExpired):
		return Lease{}, s.sess.expired(err)
	case err != nil:
		return Lease{}, fmt.Errorf("bmdb: claim %s: %w", s.proc.Name, err)
	case len(leases) == 0:
		if !backoff.Sleep(ctx, s.poll) {
			return Lease{}, context.Cause(ctx)
		}
		return Lease{}, nil
	}
	l, _ := s.pop()
	return l, nil
}

// waitQueryToken waits for a token of the query limit, if there is one; it reports false if
// ctx ended first.
func (s *Source) waitQueryToken(ctx context.Context) bool {
	if s.limiter == nil {
		return true
	}
	r := s.limiter.Reserve()
	if !backoff.Sleep(ctx, r.Delay()) {
		r.Cancel()
		return false
	}
	return true
}

// claimOnce is one claim under the session's bound on a database call, reported to the hook.
// A claim that failed may have committed (its answer lost to a timeout or a broken
// connection), so the next one first adopts the leases the session holds unknown to the
// source.
func (s *Source) claimOnce(ctx context.Context) ([]Lease, error) {
	leases, err := bounded(ctx, s.sess.callTimeout(), func(ctx context.Context) ([]Lease, error) {
		if s.suspect.Load() {
			adopted, err := s.adopt(ctx)
			if err != nil || len(adopted) > 0 {
				return adopted, err
			}
		}
		return s.claim(ctx, s.batchSize())
	})
	if err != nil {
		s.suspect.Store(true)
	}
	if s.onClaim != nil {
		s.onClaim(len(leases), err)
	}
	return leases, err
}

// refill tops the buffer up ahead of need: when it holds less than half a batch and no claim
// runs, this worker claims now (once, with no retry, and only if the query limit has a token
// free), while the others go on working from the buffer. An error is left for the next Get
// that finds the buffer empty, except an expired session, which ends the session at once.
func (s *Source) refill(ctx context.Context) {
	s.mu.Lock()
	low := len(s.buf) < s.batchSize()/2
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
	if s.limiter != nil && !s.limiter.Allow() {
		return
	}
	leases, err := s.claimOnce(ctx)
	if errors.Is(err, ErrSessionExpired) {
		_ = s.sess.expired(err)
	}
	s.push(leases)
}
