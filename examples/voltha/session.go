package voltha

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// Sync describes one push to the router that succeeded; [OnSync] receives it.
type Sync struct {
	Session  int64 // 1 for the first session
	Full     bool  // the first push of a session: everything, from an empty router
	Changes  Changes
	Table    Table // what the router holds now
	Unplaced []Pod // cores left out (see [Assign])
	Unknown  int   // calls to cores (queries, hand-backs) that failed; made again under the query policy
	// Stale is the number of goroutines of earlier sessions still alive when this one
	// started: always 0, since Supervise waits for them. Tests check it.
	Stale int64
}

// session is one connection's work: it starts from an empty router.
type session struct {
	d       *Daemon
	n       int64
	client  afrouterpb.ConfigurationClient
	applied Table // what this session has pushed
	synced  bool  // the full push is done
	stale   int64
	failing time.Time // when the syncs started leaving cores unanswered; zero while they answer
}

// errUnanswered is the error of a sync after which a core had not answered: its key is retried
// under the query policy.
var errUnanswered = errors.New("voltha: a core did not answer")

// session is the connctx.SessionFunc: a one-key reconcile.Queue, which every change of the
// world adds to, and reconcile.Run over it on a goroutine of the group, until the connection
// is lost. The first sync pushes everything; the queue coalesces the changes that come during
// a sync into one more, and retries a sync that left cores unanswered under the query policy.
// A failed push ends the session, so the next one starts over from a clean slate.
func (d *Daemon) session(ctx context.Context, cc *grpc.ClientConn, g *errgroup.Group) error {
	s := &session{d: d, n: d.sessions.Add(1), client: afrouterpb.NewConfigurationClient(cc), stale: d.live.Load()}
	q, err := reconcile.NewQueue[struct{}](reconcile.WithQueueBackoff(d.cfg.queryRetry), reconcile.WithQueueHooks(d.metrics.queue))
	if err != nil {
		return backoff.Permanent(err)
	}
	_ = q.Add(struct{}{}) // the full push; a new queue refuses nothing
	d.world.follow(func() { _ = q.Add(struct{}{}) })
	d.metrics.session.Store(q)
	d.live.Add(1)
	g.Go(func() error {
		defer d.live.Add(-1)
		defer d.metrics.session.Store(nil)
		defer d.world.follow(nil)
		return s.follow(ctx, q)
	})
	<-ctx.Done()
	return context.Cause(ctx)
}

// follow runs the session's syncs over q until ctx ends (nil) or a push fails (its error).
func (s *session) follow(ctx context.Context, q *reconcile.Queue[struct{}]) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var pushErr error // written by Run's one worker, read after Run waited for it
	err := reconcile.Run(ctx, q, reconcile.SyncFunc[struct{}](func(ctx context.Context, key struct{}) error {
		unanswered, err := s.sync(ctx, !s.synced)
		if err != nil {
			pushErr = err
			stop()
			return nil
		}
		s.synced = true
		return s.retry(unanswered, q.Failures(key))
	}), reconcile.WithHooks(s.d.metrics.run))
	if err != nil {
		return err
	}
	return pushErr
}

// retry is the result of a sync that pushed, whose key had failed failures times in a row
// before: nil if every core answered; errUnanswered, which the queue retries under the query
// policy; or backoff.Permanent once the policy's attempts or elapsed time are spent, so the
// key waits for the next change of the world, with a fresh backoff.
func (s *session) retry(unanswered bool, failures int) error {
	if !unanswered {
		s.failing = time.Time{}
		return nil
	}
	now := s.d.cfg.now()
	if s.failing.IsZero() {
		s.failing = now
	}
	p := s.d.cfg.queryRetry.WithDefaults()
	if (p.MaxAttempts > 0 && failures+1 >= p.MaxAttempts) || (p.MaxElapsed != backoff.Forever && now.Sub(s.failing) >= p.MaxElapsed) {
		s.failing = time.Time{}
		return backoff.Permanent(errUnanswered)
	}
	return errUnanswered
}

// sync queries the cores whose devices are unknown, computes the table, pushes the
// difference with what this session pushed before, and hands restarted cores their devices
// back. It reports whether a call to a core failed.
func (s *session) sync(ctx context.Context, full bool) (bool, error) {
	_, _, unknown := s.d.world.snapshot()
	failed := s.d.query(ctx, unknown)
	pods, devices, _ := s.d.world.snapshot()
	table, unplaced := s.d.cfg.layout.Assign(pods, devices, s.d.last)
	s.d.last = table
	changes := Diff(s.applied, table)
	if err := s.push(ctx, changes); err != nil {
		s.d.metrics.syncErrors.Inc()
		return false, err
	}
	failed += s.d.handBack(ctx, table)
	s.applied = table
	s.d.metrics.syncs.Inc()
	s.d.metrics.calls.Add(float64(changes.Len()))
	if changes.Len() > 0 || full {
		s.d.cfg.log.Info("router configured", "session", s.n, "full", full, "calls", changes.Len(),
			"connections", len(table.Connections), "affinities", len(table.Affinities))
	}
	if s.d.cfg.onSync != nil {
		s.d.cfg.onSync(Sync{Session: s.n, Full: full, Changes: changes, Table: table, Unplaced: unplaced,
			Unknown: failed, Stale: s.stale})
	}
	return failed > 0, nil
}

// query asks each core for its devices, each under the query timeout, and returns how many
// did not answer. What a core answers is recorded in the world.
func (d *Daemon) query(ctx context.Context, cores []Pod) int {
	failed := 0
	for _, p := range cores {
		qctx, cancel := context.WithTimeout(ctx, d.cfg.queryTimeout)
		devs, err := d.cores.Devices(qctx, p)
		cancel()
		if err != nil {
			failed++
			d.metrics.queryErrors.Inc()
			d.cfg.log.Warn("core query failed", "core", p.Name, "addr", p.Addr, "err", err)
			continue
		}
		d.world.queried(p, devs)
	}
	return failed
}
