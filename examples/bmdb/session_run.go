package bmdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/connctx"
)

// Run keeps the session alive while fn runs: it heartbeats five times per TTL, and collects
// expired sessions and leases (see [DB.GC]) once per TTL. fn gets a context that ends when fn
// should stop: when ctx ends; when two heartbeats in a row failed, which is before the
// session's leases could expire; or as soon as a heartbeat or a claim finds the session
// expired (a process that was frozen past its TTL). Its cause then matches [ErrSessionLost].
// A worker that goes on anyway is still fenced: its reports fail with [ErrLeaseLost].
//
// Run blocks until fn returns, and returns fn's error, or an error matching ErrSessionLost if
// the session was lost; nothing it started is left running. It does not close the session.
func (s *Session) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	life, end, err := s.lifetime(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.collect(life) })
	err = fn(life)
	cause := context.Cause(life)
	end()
	wg.Wait()
	if isLoss(cause) {
		return cause
	}
	return err
}

// lifetime derives the session's lifetime from parent: a context that ends, with a cause
// matching ErrSessionLost, when two heartbeats in a row fail or the session is found expired.
// Its cancel function stops the heartbeats and waits for them.
func (s *Session) lifetime(parent context.Context) (context.Context, context.CancelFunc, error) {
	ctx, cancel := context.WithCancelCause(parent)
	tick := s.ttl / 5
	live, stop, err := connctx.WithProbe(ctx, connctx.ProbeFunc(s.heartbeatProbe),
		connctx.WithProbeInterval(tick), connctx.WithProbeTimeout(tick), connctx.WithProbeThreshold(2))
	if err != nil {
		cancel(err)
		return nil, nil, fmt.Errorf("bmdb: session %d: %w", s.id, err)
	}
	unhook := context.AfterFunc(live, func() { cancel(s.lossCause(live)) })
	s.mu.Lock()
	s.lose = cancel
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		s.lose = nil
		s.mu.Unlock()
		unhook()
		stop()
		cancel(context.Canceled)
	}, nil
}

// heartbeatProbe is a heartbeat that ends the session at once when it finds it expired: no
// later heartbeat can succeed.
func (s *Session) heartbeatProbe(ctx context.Context) error {
	err := s.Heartbeat(ctx)
	if errors.Is(err, ErrSessionExpired) {
		_ = s.expired(err)
	}
	return err
}

// lossCause is the cause the lifetime ends with when the heartbeat context live ended.
func (s *Session) lossCause(live context.Context) error {
	cause := context.Cause(live)
	if errors.Is(cause, connctx.ErrConnLost) {
		return fmt.Errorf("%w: session %d: %w", ErrSessionLost, s.id, cause)
	}
	return cause
}

// collect runs the garbage collection once per TTL until ctx ends.
func (s *Session) collect(ctx context.Context) {
	t := time.NewTicker(s.ttl)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g, err := bounded(ctx, s.callTimeout(), s.db.GC)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("bmdb: garbage collection", "session", s.id, "err", err)
		case g.Sessions > 0 || g.Leases > 0:
			s.log.Info("bmdb: collected expired sessions", "session", s.id, "sessions", g.Sessions, "leases", g.Leases)
		}
	}
}
