package bmdb

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
)

// ServeHooks are the functions [DB.Serve] calls to report the sessions it runs, for metrics and
// logs. Each is optional. They are called on Serve's goroutine and must not block for long.
type ServeHooks struct {
	// OpenFailed is called after each failed attempt to open a session that will be retried
	// (the database is down, restarting or out of reach), with the error, the attempt number
	// and the wait before the next attempt.
	OpenFailed func(backoff.Retrying)
	// Started is called when a session starts, before fn runs in it.
	Started func(s *Session)
	// Ended is called after a session was torn down: its context cancelled, fn and every
	// goroutine of the session returned, the session closed.
	Ended func(SessionEnd)
}

// SessionEnd describes a session [DB.Serve] ran, after its teardown.
type SessionEnd struct {
	Session int64         // the session's ID
	Cause   error         // why it ended: a loss (matching ErrSessionLost), fn's error, or ctx's cause
	Uptime  time.Duration // how long fn ran in it
	Delay   time.Duration // the wait before the next session is opened; 0 if Serve returns
}

// WithServeHooks sets the hooks of [DB.Serve]; [DB.OpenSession] ignores them.
func WithServeHooks(h ServeHooks) SessionOption { return func(s *Session) { s.hooks = h } }

// ServeOpenPolicy sets the backoff between attempts to open a session in [DB.Serve]. The
// default retries forever, from a twentieth of the TTL up to half of it between attempts, so
// that a process rides out a database restart or outage of any length and is back within
// half a TTL of the database. A MaxElapsed or MaxAttempts is a budget: when it is spent,
// Serve returns a *backoff.ExhaustedError.
func ServeOpenPolicy(p backoff.Policy) SessionOption { return func(s *Session) { s.open = p } }

// errServed ends Serve when fn returned nil on its own.
var errServed = errors.New("bmdb: served")

// Serve runs fn in a session of component, and in a new session, from a clean slate, each
// time the last one ended for any other reason than fn returning nil: the session was lost
// ([ErrSessionLost]: its heartbeats failed or it was found expired, so its leases are to be
// taken over), or fn failed. Each session is a lifetime on connctx.Supervise: opening it is
// retried under [ServeOpenPolicy] (never giving up by default); when it ends, its context is
// cancelled, Serve waits for fn and the session's garbage collection to return, then closes
// the session, releasing its leases (a session it could not close, the database being
// down, is closed when the next one opens), and waits before the next one under a backoff
// that grows from a tenth of the TTL up to one TTL while sessions last less than a TTL.
//
// Serve blocks until ctx ends or fn returns nil (it returns nil), or until fn returns a
// backoff.Permanent error (it returns the error inside) or the open budget is spent. opts
// configure every session; [WithServeHooks] and [SessionLogger] report each session and each
// failed open.
func (db *DB) Serve(ctx context.Context, component string, fn func(ctx context.Context, s *Session) error, opts ...SessionOption) error {
	cfg, err := db.newSession(component, opts)
	if err != nil {
		return err
	}
	sv := &server{db: db, component: component, fn: fn, opts: opts, cfg: cfg, stop: ctx.Done()}
	ttl := cfg.ttl
	open := cfg.open
	if open == (backoff.Policy{}) {
		open = backoff.Policy{Initial: ttl / 20, Max: ttl / 2, MaxElapsed: backoff.Forever}
	}
	err = connctx.Supervise(ctx, sv.dial, sv.lifetime, sv.session,
		connctx.WithDialPolicy(open), connctx.WithHealthyAfter(ttl), connctx.WithHooks(connctx.Hooks{OnDialError: sv.openFailed}), connctx.WithHooks(connctx.Hooks{OnLost: sv.ended}),
		connctx.WithRestartPolicy(backoff.Policy{Initial: ttl / 10, Max: ttl, MaxElapsed: backoff.Forever}))
	if ctx.Err() != nil || errors.Is(err, errServed) {
		return nil
	}
	return err
}

// server is the state of one Serve call; Supervise uses it from one goroutine.
type server struct {
	db        *DB
	component string
	fn        func(ctx context.Context, s *Session) error
	opts      []SessionOption
	cfg       *Session        // the options, applied
	stop      <-chan struct{} // Serve's context's: a session that ends with it is not restarted
	current   *Session        // the session running, or last run
	unclosed  []*Session      // sessions whose Close failed
}

// served is a session as connctx.Supervise sees it: a connection that Close ends.
type served struct {
	*Session
	sv *server
}

// Close closes the session under the bound of one database call; a session it cannot close
// is closed when the next one opens.
func (s served) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.callTimeout())
	defer cancel()
	err := s.Session.Close(ctx)
	if err != nil {
		s.sv.unclosed = append(s.sv.unclosed, s.Session)
	}
	return err
}

func (sv *server) dial(ctx context.Context) (served, error) {
	s, err := sv.db.OpenSession(ctx, sv.component, sv.opts...)
	if err != nil {
		return served{}, err
	}
	sv.current = s
	kept := sv.unclosed[:0]
	for _, old := range sv.unclosed { // the database is back: release what the lost ones held
		if old.Close(ctx) != nil {
			kept = append(kept, old)
		}
	}
	sv.unclosed = kept
	return served{s, sv}, nil
}

func (sv *server) lifetime(ctx context.Context, s served) (context.Context, context.CancelFunc, error) {
	return s.lifetime(ctx)
}

func (sv *server) session(ctx context.Context, s served, g *errgroup.Group) error {
	s.log.Info("bmdb: session started", "session", s.id, "component", sv.component)
	if h := sv.cfg.hooks.Started; h != nil {
		h(s.Session)
	}
	g.Go(func() error { s.collect(ctx); return nil })
	err := sv.fn(ctx, s.Session)
	if err == nil && ctx.Err() == nil {
		return backoff.Permanent(errServed)
	}
	return err
}

func (sv *server) openFailed(r backoff.Retrying) {
	sv.cfg.log.Warn("bmdb: cannot open a session, retrying", "attempt", r.Attempt, "wait", r.Delay, "err", r.Err)
	if h := sv.cfg.hooks.OpenFailed; h != nil {
		h(r)
	}
}

func (sv *server) ended(l connctx.Lost) {
	end := SessionEnd{Session: sv.current.id, Cause: l.Cause, Uptime: l.Uptime, Delay: l.Delay}
	select {
	case <-sv.stop:
		sv.cfg.log.Info("bmdb: session ended", "session", end.Session, "uptime", end.Uptime)
	default:
		if !errors.Is(l.Cause, errServed) {
			sv.cfg.log.Warn("bmdb: session ended, starting a new one", "session", end.Session, "uptime", end.Uptime,
				"wait", end.Delay, "cause", end.Cause)
		}
	}
	if h := sv.cfg.hooks.Ended; h != nil {
		h(end)
	}
}
