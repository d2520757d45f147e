package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/connctx"
)

// DefaultSessionTTL is how long a session and its leases live without a heartbeat, unless
// [SessionTTL] says otherwise.
const DefaultSessionTTL = 15 * time.Second

// Session is one process's membership in the work: a row with an expiry that heartbeats push
// forward. Every lease the process takes belongs to its session and lives as long as it does;
// when the process dies, its heartbeats stop, and within the TTL its leases can be taken over.
// A Session is safe for concurrent use.
type Session struct {
	db        *DB
	id        int64
	component string
	ttl       time.Duration
	log       *slog.Logger
}

// SessionOption configures [DB.OpenSession].
type SessionOption func(*Session)

// SessionTTL sets how long the session and its leases live after the last heartbeat (default
// [DefaultSessionTTL]). [Session.Run] heartbeats five times per TTL.
func SessionTTL(d time.Duration) SessionOption {
	return func(s *Session) { s.ttl = d }
}

// SessionLogger sets where [Session.Run] logs the garbage collections it runs and their errors
// (default: discarded).
func SessionLogger(l *slog.Logger) SessionOption {
	return func(s *Session) { s.log = l }
}

// OpenSession starts a session for component (a name for humans, "shepherd") and returns it.
// It blocks on the database. Keep it alive with [Session.Run] and end it with [Session.Close].
func (db *DB) OpenSession(ctx context.Context, component string, opts ...SessionOption) (*Session, error) {
	s := &Session{db: db, component: component, ttl: DefaultSessionTTL, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(s)
	}
	if s.ttl <= 0 {
		return nil, fmt.Errorf("bmdb: session TTL must be positive, got %v", s.ttl)
	}
	now := ms(db.now())
	err := db.queryRow(ctx, db.sql,
		`INSERT INTO sessions (component, started, ttl, expires) VALUES (?, ?, ?, ?) RETURNING session_id`,
		component, now, s.ttl.Milliseconds(), now+s.ttl.Milliseconds()).Scan(&s.id)
	if err != nil {
		return nil, fmt.Errorf("bmdb: open session: %w", err)
	}
	return s, nil
}

// ID returns the session's number, unique in the database.
func (s *Session) ID() int64 { return s.id }

// TTL returns how long the session lives without a heartbeat.
func (s *Session) TTL() time.Duration { return s.ttl }

// Heartbeat pushes the expiry of the session, and so of every lease it holds, one TTL ahead.
// It returns [ErrSessionExpired] if the session already expired or was collected: an expired
// session is never revived, since its leases may already belong to others.
func (s *Session) Heartbeat(ctx context.Context) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(s.db.now())
		until := now + s.ttl.Milliseconds()
		res, err := s.db.exec(ctx, tx, `UPDATE sessions SET expires = ? WHERE session_id = ? AND expires > ?`, until, s.id, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(ErrSessionExpired, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bmdb: heartbeat of session %d: %w", s.id, err)
	}
	return nil
}

// Run keeps the session alive while fn runs: it heartbeats five times per TTL, and collects
// expired sessions and leases (see [DB.GC]) once per TTL. fn gets a context that ends when fn
// should stop: when ctx ends, or when two heartbeats in a row failed, which is before the
// session's leases could expire; its cause then matches [ErrSessionLost]. A worker that goes
// on anyway is still fenced: its reports fail with [ErrLeaseLost].
//
// Run blocks until fn returns, and returns fn's error, or an error matching ErrSessionLost if
// the session was lost; nothing it started is left running. It does not close the session.
func (s *Session) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	tick := s.ttl / 5
	live, stop, err := connctx.WithProbe(ctx, connctx.ProbeFunc(s.Heartbeat),
		connctx.WithProbeInterval(tick), connctx.WithProbeTimeout(tick), connctx.WithProbeThreshold(2))
	if err != nil {
		return fmt.Errorf("bmdb: session %d: %w", s.id, err)
	}
	defer stop()
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	unhook := context.AfterFunc(live, func() { cancel(s.lossCause(live)) })
	defer unhook()

	var wg sync.WaitGroup
	wg.Go(func() { s.collect(work) })
	err = fn(work)
	cancel(nil)
	wg.Wait()
	if cause := context.Cause(work); errors.Is(cause, ErrSessionLost) {
		return cause
	}
	return err
}

// lossCause is the cause fn's context ends with when the heartbeat context live ended.
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
		g, err := s.db.GC(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("bmdb: garbage collection", "session", s.id, "err", err)
		case g.Sessions > 0 || g.Leases > 0:
			s.log.Info("bmdb: collected expired sessions", "session", s.id, "sessions", g.Sessions, "leases", g.Leases)
		}
	}
}

// Close ends the session: it releases every lease the session holds (their work is offered
// again at once, with no backoff) and deletes the session. It blocks on the database;
// subsequent calls do nothing.
func (s *Session) Close(ctx context.Context) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.exec(ctx, tx, `UPDATE work SET session_id = NULL WHERE session_id = ?`, s.id); err != nil {
			return err
		}
		_, err := s.db.exec(ctx, tx, `DELETE FROM sessions WHERE session_id = ?`, s.id)
		return err
	})
	if err != nil {
		return fmt.Errorf("bmdb: close session %d: %w", s.id, err)
	}
	return nil
}
