package vpp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/reconcile"
)

// DefaultDriftInterval is how often, by default, every frontend is synced even without an
// event, to repair drift (a change made behind the controller's back).
const DefaultDriftInterval = 30 * time.Second

// Controller keeps a dataplane programmed from a [Config] and the health of its backends. It
// owns a [Checker] whose transitions enqueue the frontends that use the backend, and a keyed
// queue drained by one sync path on [reconcile.Run]. The connection to the dataplane is kept by
// [connctx.Supervise] with [connctx.WithProbe] (a ping) as its lifetime: when pings fail, the
// session ends, and the next one sets the global conf and re-pushes every frontend, so a
// dataplane that restarted empty is programmed again.
//
// A Controller is safe for concurrent use. New starts nothing; Run blocks.
type Controller struct {
	cfg      Config
	dial     DialFunc
	checker  *Checker
	queue    *reconcile.Queue[string]
	users    map[string][]string // backend name -> names of the frontends that use it
	fronts   map[string]frontendInfo
	o        options
	started  atomic.Bool
	sessions atomic.Int64
	img      atomic.Pointer[image] // the current (or last) session's image; nil before the first
	metrics  metrics
}

// New returns a controller for cfg that dials the dataplane with dial. It returns
// an error matching [ErrInvalidConfig] for a config that does not validate, and an error for a
// nil dial. It starts nothing.
func New(cfg Config, dial DialFunc, opts ...Option) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if dial == nil {
		return nil, errors.New("vpp: nil dial function")
	}
	c := &Controller{cfg: cfg, dial: dial, users: map[string][]string{}, fronts: map[string]frontendInfo{}, o: defaultOptions()}
	for _, o := range opts {
		o(&c.o)
	}
	if err := c.newMetrics(c.o.metrics); err != nil {
		return nil, err
	}
	q, err := reconcile.NewQueue[string](reconcile.WithQueueBackoff(c.o.syncBackoff), reconcile.WithQueueHooks(c.metrics.queue))
	if err != nil {
		return nil, fmt.Errorf("vpp: %w", err)
	}
	c.queue = q
	for _, f := range cfg.Frontends {
		fi := frontendInfo{f: f}
		for _, p := range f.Pools {
			for _, m := range p.Members {
				c.users[m.Backend] = append(c.users[m.Backend], f.Name)
				fi.members = append(fi.members, m.Backend)
			}
		}
		c.fronts[f.Name] = fi
	}
	c.checker = NewChecker(cfg.Backends, append(c.o.checker, OnTransition(c.notify))...)
	return c, nil
}

// Checker returns the controller's health checker, for operator calls (Disable, Enable, Pause,
// Resume) and states.
func (c *Controller) Checker() *Checker { return c.checker }

// Sessions returns how many dataplane sessions have started: 1 after the first connect, one
// more after every reconnect.
func (c *Controller) Sessions() int { return int(c.sessions.Load()) }

// notify is the checker's transition hook: it enqueues every frontend that uses the backend.
// It runs with the backend's lock held and does not block (Queue.Add never does).
func (c *Controller) notify(ev Event) {
	c.o.log.Info("backend transition", "backend", ev.Backend, "from", ev.From, "to", ev.To, "reason", ev.Reason)
	for _, f := range c.users[ev.Backend] {
		_ = c.queue.Add(f) // fails only once Run has shut the queue down
	}
}

// Run checks the backends and keeps the dataplane in sync until ctx ends, then returns nil
// once everything it started has ended. It returns an error if the supervisor gives up (a
// dial budget set with [WithSuperviseOptions] was spent), and [ErrRunning] if called again.
func (c *Controller) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer c.queue.ShutDown()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return c.checker.Run(gctx) })
	g.Go(func() error {
		return connctx.Supervise(gctx, connctx.DialFunc[Conn](c.dial), c.lifetime, c.session, c.superviseOptions()...)
	})
	err := g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// lifetime ties the session to the dataplane's answers to pings.
func (c *Controller) lifetime(ctx context.Context, conn Conn) (context.Context, context.CancelFunc, error) {
	return connctx.WithProbe(ctx, connctx.ProbeFunc(conn.Ping), c.o.ping...)
}

// session runs on one connection: global conf, a wait for the checker's first round, every
// frontend queued (the re-push), then the sync loop, with a drift sync of every frontend every
// drift interval, until the connection is lost or ctx ends. The session's image starts stale,
// so its first sync dumps the dataplane, and is stale for good when the session ends.
func (c *Controller) session(ctx context.Context, conn Conn, _ *errgroup.Group) error {
	c.sessions.Add(1)
	img := newImage()
	c.img.Store(img)
	defer img.invalidate()
	if err := conn.SetConf(ctx, c.cfg.Conf); err != nil {
		return fmt.Errorf("set conf: %w", err)
	}
	select { // see Checker.FirstRound
	case <-c.checker.FirstRound():
	case <-ctx.Done():
		return nil
	}
	for _, f := range c.cfg.Frontends {
		_ = c.queue.Add(f.Name)
	}
	s := &syncer{dp: conn, frontends: c.fronts, states: c.checker.Snapshot, img: img, log: c.o.log, observed: c.o.onSync}
	return reconcile.Run(ctx, c.queue, s,
		reconcile.WithResync(c.queue, c.o.drift, c.driftRound(img)),
		reconcile.WithHooks(c.metrics.run), reconcile.WithHooks(reconcile.Hooks{OnSyncEnd: c.syncEnd}))
}

// driftRound returns the drift sync's list of keys: every frontend, after marking the image
// stale, so that the round's first sync dumps the dataplane once for all of them. The first
// call, when the session's loop starts, leaves the image alone: it is stale already.
func (c *Controller) driftRound(img *image) func(context.Context) ([]string, error) {
	first := true // list is called from one goroutine, one call at a time
	return func(context.Context) ([]string, error) {
		if !first {
			img.invalidate()
		}
		first = false
		names := make([]string, 0, len(c.cfg.Frontends))
		for _, f := range c.cfg.Frontends {
			names = append(names, f.Name)
		}
		return names, nil
	}
}

func (c *Controller) syncEnd(key any, took time.Duration, o reconcile.Outcome) {
	if f := c.metrics.run.OnSyncEnd; f != nil {
		f(key, took, o)
	}
	if o.Kind == reconcile.OutcomeDone {
		c.o.log.Debug("synced", "frontend", key, "took", took)
		return
	}
	c.o.log.Warn("sync failed", "frontend", key, "outcome", o.Kind, "err", o.Err)
}

func (c *Controller) superviseOptions() []connctx.Option {
	log := c.o.log
	opts := []connctx.Option{connctx.WithHooks(connctx.Hooks{
		OnConnected: func(s connctx.Connected) {
			call(c.metrics.conn.OnConnected, s)
			log.Info("dataplane connected", "session", s.Session)
		},
		OnLost: func(l connctx.Lost) {
			call(c.metrics.conn.OnLost, l)
			if !errors.Is(l.Cause, connctx.ErrConnLost) {
				log.Info("dataplane session ended", "session", l.Session, "cause", l.Cause, "uptime", l.Uptime)
				return
			}
			log.Warn("dataplane lost", "session", l.Session, "cause", l.Cause, "uptime", l.Uptime, "next dial in", l.Delay)
		},
		OnDialError: func(r backoff.Retrying) {
			call(c.metrics.conn.OnDialError, r)
			log.Warn("dataplane dial failed", "err", r.Err, "attempt", r.Attempt)
		},
	})}
	return append(opts, c.o.supervise...)
}
