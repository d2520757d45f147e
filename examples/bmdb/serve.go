package bmdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Serve runs fn in a session of component, and in a new session each time the last one was
// lost ([ErrSessionLost]: its heartbeats failed, so its leases are to be taken over, and the
// work starts over from a clean slate), after a backoff that grows while sessions keep being
// lost. Each session is closed after fn returns, releasing its leases.
//
// Serve blocks until ctx ends (it returns nil) or fn returns an error other than a session
// loss (it returns that error). opts configure every session; with [SessionLogger], each loss
// is logged.
func (db *DB) Serve(ctx context.Context, component string, fn func(ctx context.Context, s *Session) error, opts ...SessionOption) error {
	probe := &Session{}
	for _, opt := range opts {
		opt(probe)
	}
	ttl := probe.ttl
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	policy := backoff.Policy{Initial: ttl / 10, Max: ttl, MaxElapsed: backoff.Forever}
	err := backoff.Retry(ctx, policy, func(ctx context.Context) error {
		err := db.serveOnce(ctx, component, fn, opts)
		if errors.Is(err, ErrSessionLost) {
			if probe.log != nil {
				probe.log.Warn("bmdb: session lost, starting a new one", "err", err)
			}
			return err
		}
		return backoff.Permanent(err)
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// serveOnce runs fn in one session and closes it.
func (db *DB) serveOnce(ctx context.Context, component string, fn func(ctx context.Context, s *Session) error, opts []SessionOption) error {
	s, err := db.OpenSession(ctx, component, opts...)
	if err != nil {
		return err
	}
	err = s.Run(ctx, func(ctx context.Context) error { return fn(ctx, s) })
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := s.Close(closeCtx); cerr != nil && err == nil {
		err = fmt.Errorf("bmdb: serve: %w", cerr)
	}
	return err
}
