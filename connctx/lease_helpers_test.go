package connctx_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// Short lease timings for tests under synctest: lease 10 s, deadline 6 s, renew every 2 s.
const (
	leaseFor    = 10 * time.Second
	renewWithin = 6 * time.Second
	renewEvery  = 2 * time.Second
)

func timings(id string) []connctx.LeaseOption {
	return []connctx.LeaseOption{connctx.WithIdentity(id), connctx.WithLeaseDuration(leaseFor),
		connctx.WithRenewDeadline(renewWithin), connctx.WithRenewInterval(renewEvery)}
}

// term is what a test session saw of one term.
type term struct {
	lease connctx.Lease
	start time.Time
	end   time.Time
	cause error
}

// terms records the terms of the sessions of one or more Leaders, and whether two ever
// overlapped.
type terms struct {
	mu      sync.Mutex
	all     []term
	leading int
	overlap bool
	started chan connctx.Lease // each term's lease, if not nil (buffered by the test)
}

// session returns a session that records its term and waits for its context to end.
func (r *terms) session() connctx.LeaderFunc {
	return func(ctx context.Context, lease connctx.Lease, _ *errgroup.Group) error {
		r.mu.Lock()
		r.leading++
		r.overlap = r.overlap || r.leading > 1
		i := len(r.all)
		r.all = append(r.all, term{lease: lease, start: time.Now()})
		r.mu.Unlock()
		if r.started != nil {
			r.started <- lease
		}
		<-ctx.Done()
		r.mu.Lock()
		defer r.mu.Unlock()
		r.leading--
		r.all[i].end, r.all[i].cause = time.Now(), context.Cause(ctx)
		return nil
	}
}

func (r *terms) list() []term {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]term(nil), r.all...)
}

// runLeader runs a Leader on lock with session until the test's end, and returns it and a
// function that stops it and returns Run's error.
func runLeader(t *testing.T, lock connctx.Lock, session connctx.LeaderFunc, opts ...connctx.LeaseOption) (*connctx.Leader, func() error) {
	l, err := connctx.NewLeader(lock, session, opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return l, stop
}

// slowLock is a conntest.Lock whose Renew, when block is set, ignores its context and waits
// for release, then returns what the store says: a store call stuck in the kernel.
type slowLock struct {
	*conntest.Lock
	mu      sync.Mutex
	block   chan struct{}
	renewed chan struct{} // a Renew returned, if not nil
}

func (s *slowLock) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	s.mu.Lock()
	block := s.block
	s.mu.Unlock()
	if block != nil {
		<-block
	}
	h, err := s.Lock.Renew(context.WithoutCancel(ctx), c, h)
	if s.renewed != nil {
		s.renewed <- struct{}{}
	}
	return h, err
}

func (s *slowLock) stall() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.block = ch
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.block = nil
		s.mu.Unlock()
		close(ch)
	}
}
