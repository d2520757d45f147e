package voltha

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/watch"
)

// Names of the watched resources, as the metrics and the logs give them.
const (
	ResourcePods      = "pods"
	ResourceDiscovery = "discovery"
)

// ErrRunning is returned by [Daemon.Run] when it is already running.
var ErrRunning = errors.New("voltha: daemon already running")

// Daemon keeps an affinity router configured for the cores that run. Make one with [New];
// the zero Daemon is not usable. Its methods are safe for concurrent use.
type Daemon struct {
	cfg     config
	dial    connctx.DialFunc[*grpc.ClientConn]
	cores   Cores
	world   *world
	watcher *watch.Watcher
	metrics *metrics
	health  *health
	running atomic.Bool
	// last is the table last computed, for sticky slots. Only the session that runs touches
	// it, and Supervise runs one session at a time and waits for its goroutines before the
	// next, so it needs no lock.
	last     Table
	sessions atomic.Int64
	live     atomic.Int64 // goroutines of sessions alive: 0 whenever a session starts
}

// New returns a daemon that watches pods (clientset.CoreV1().Pods(namespace) is a source),
// dials the router with dial (see [DialRouter]) and asks cores for their devices through
// cores. It starts nothing and does no I/O. It returns an error for a nil argument, a timeout,
// budget or port that is not positive, or an invalid query retry policy.
func New(pods watch.Source, dial connctx.DialFunc[*grpc.ClientConn], cores Cores, opts ...Option) (*Daemon, error) {
	if pods == nil || dial == nil || cores == nil {
		return nil, errors.New("voltha: nil pods source, dial function or cores")
	}
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	d := &Daemon{cfg: cfg, dial: dial, cores: cores, world: newWorld(), health: newHealth(cfg.now, cfg.routerBudget)}
	m, err := newMetrics(func() bool { return d.Healthy() == nil })
	if err != nil {
		return nil, fmt.Errorf("voltha: metrics: %w", err)
	}
	d.metrics = m
	d.watcher = watch.New(watch.HandlerFunc(d.handle), append(cfg.watchOpts, d.watchHooks()...)...)
	if err := d.watcher.Add(ResourcePods, pods, cfg.podOpts...); err != nil {
		return nil, fmt.Errorf("voltha: %w", err)
	}
	if cfg.discovery != nil {
		if err := d.watcher.Add(ResourceDiscovery, cfg.discovery, cfg.discoveryOpts...); err != nil {
			return nil, fmt.Errorf("voltha: %w", err)
		}
	}
	return d, nil
}

// Run runs the daemon until ctx ends: the watcher over pods and discovery, and the supervised
// session with the router (every session pushes the whole configuration, then follows
// changes). When the watcher gives up or the supervisor spends its budget, the other part
// keeps running and [Daemon.Healthy] reports the failure, so that a liveness probe restarts the
// process. Run returns nil when ctx ends with nothing given up, else what gave up (a
// *watch.GiveUpError, a *backoff.ExhaustedError). It has stopped everything it started when
// it returns; it returns [ErrRunning] if already running.
func (d *Daemon) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer d.running.Store(false)
	d.health.begin()
	var g errgroup.Group // no shared context: one part failing must not stop the other
	g.Go(func() error {
		err := d.watcher.Run(ctx)
		if err != nil {
			d.health.watcherGaveUp(err)
			d.cfg.log.Error("watcher gave up", "err", err)
		}
		return err
	})
	g.Go(func() error {
		err := connctx.Supervise(ctx, d.dial, connctx.StateLifetime[*grpc.ClientConn](connectivity.Ready),
			d.session, append(d.cfg.superviseOpts, d.superviseHooks()...)...)
		if ctx.Err() != nil {
			return nil // ctx ended: not a give-up
		}
		d.health.routerGaveUp(err)
		d.cfg.log.Error("router supervisor gave up", "err", err)
		return err
	})
	return g.Wait()
}

// Healthy returns nil while the daemon is healthy, else why not: the watcher gave up
// (the error matches watch.ErrGaveUp), the supervisor gave up, or the router has been
// unreachable for longer than its budget ([ErrRouterUnreachable]).
func (d *Daemon) Healthy() error { return d.health.check() }
