package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// DefaultSessionTTL is how long a session and its leases live without a heartbeat, unless
// [SessionTTL] or [WithTTL] says otherwise.
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
	hooks     ServeHooks     // used by DB.Serve
	open      backoff.Policy // used by DB.Serve

	mu   sync.Mutex
	lose context.CancelCauseFunc // ends the context of the running Run; nil when none runs
}

// SessionOption configures [DB.OpenSession] and [DB.Serve].
type SessionOption func(*Session)

// SessionTTL sets how long the session and its leases live after the last heartbeat (default
// the database's, [WithTTL]). [Session.Run] heartbeats five times per TTL.
func SessionTTL(d time.Duration) SessionOption {
	return func(s *Session) { s.ttl = d }
}

// SessionLogger sets where [Session.Run] and [DB.Serve] log the garbage collections they run,
// the sessions they start and lose and the failures to open one (default: discarded).
func SessionLogger(l *slog.Logger) SessionOption {
	return func(s *Session) {
		if l != nil {
			s.log = l
		}
	}
}

// newSession is a session of component with opts applied, not yet in the database.
func (db *DB) newSession(component string, opts []SessionOption) (*Session, error) {
	s := &Session{db: db, component: component, ttl: db.ttl, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(s)
	}
	if s.ttl <= 0 {
		return nil, fmt.Errorf("bmdb: session TTL must be positive, got %v", s.ttl)
	}
	return s, nil
}

// OpenSession starts a session for component (a name for humans, "shepherd") and returns it.
// It blocks on the database, for at most half the TTL. Keep the session alive with
// [Session.Run] and end it with [Session.Close].
func (db *DB) OpenSession(ctx context.Context, component string, opts ...SessionOption) (*Session, error) {
	s, err := db.newSession(component, opts)
	if err != nil {
		return nil, err
	}
	// Half a TTL, not a quarter: after a restart of the database this is the call that
	// connects again, and on a loaded server that is slow.
	s.id, err = bounded(ctx, s.ttl/2, func(ctx context.Context) (int64, error) {
		now := ms(db.now())
		var id int64
		err := db.queryRow(ctx, db.sql,
			`INSERT INTO sessions (component, started, ttl, expires) VALUES (?, ?, ?, ?) RETURNING session_id`,
			component, now, s.ttl.Milliseconds(), now+s.ttl.Milliseconds()).Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("bmdb: open session: %w", err)
	}
	return s, nil
}

// ID returns the session's number, unique in the database.
func (s *Session) ID() int64 { return s.id }

// TTL returns how long the session lives without a heartbeat.
func (s *Session) TTL() time.Duration { return s.ttl }

// callTimeout bounds one call to the database made for the session.
func (s *Session) callTimeout() time.Duration { return s.ttl / 4 }

// Heartbeat pushes the expiry of the session, and so of every lease it holds, one TTL ahead.
// It returns an error matching [ErrSessionExpired] if the session already expired or was
// collected: an expired session is never revived, since its leases may already belong to
// others.
func (s *Session) Heartbeat(ctx context.Context) error {
	now := ms(s.db.now())
	res, err := s.db.exec(ctx, s.db.sql, `UPDATE sessions SET expires = ? WHERE session_id = ? AND expires > ?`,
		now+s.ttl.Milliseconds(), s.id, now)
	if err == nil && rowsAffected(res) == 0 {
		err = ErrSessionExpired
	}
	if err != nil {
		return fmt.Errorf("bmdb: heartbeat of session %d: %w", s.id, err)
	}
	return nil
}

// expired ends the context of the session's running [Session.Run], if any, with a cause
// matching [ErrSessionLost], and returns that cause; err says how the session was found
// expired.
func (s *Session) expired(err error) error {
	lost := fmt.Errorf("%w: session %d: %w", ErrSessionLost, s.id, err)
	s.mu.Lock()
	lose := s.lose
	s.mu.Unlock()
	if lose != nil {
		lose(lost)
	}
	return lost
}

// Close ends the session: it releases every lease the session holds (their work is offered
// again at once, with no backoff) and deletes the session. On PostgreSQL a lease another
// transaction holds locked is left to expire. It blocks on the database; subsequent calls do
// nothing.
func (s *Session) Close(ctx context.Context) error {
	release := `UPDATE work SET session_id = NULL WHERE session_id = ?`
	if s.db.d.name == "postgres" {
		release = `UPDATE work SET session_id = NULL WHERE (machine_id, process) IN
			(SELECT machine_id, process FROM work WHERE session_id = ? FOR UPDATE SKIP LOCKED)`
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.exec(ctx, tx, release, s.id); err != nil {
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

// isLoss reports whether err says a session was lost.
func isLoss(err error) bool { return errors.Is(err, ErrSessionLost) }
