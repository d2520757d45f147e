package voltha

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
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
	stale   int64
}

// session is the connctx.SessionFunc: push everything, then follow changes on a goroutine of
// the group, until the connection is lost. A failed push ends the session, so the next one
// starts over from a clean slate.
func (d *Daemon) session(ctx context.Context, cc *grpc.ClientConn, g *errgroup.Group) error {
	s := &session{d: d, n: d.sessions.Add(1), client: afrouterpb.NewConfigurationClient(cc), stale: d.live.Load()}
	select {
	case <-d.world.changed: // the full push reads the latest state anyway
	default:
	}
	retry, err := s.sync(ctx, true)
	if err != nil {
		return err
	}
	d.live.Add(1)
	g.Go(func() error {
		defer d.live.Add(-1)
		return s.follow(ctx, retry)
	})
	<-ctx.Done()
	return context.Cause(ctx)
}

// follow pushes what changed whenever the world changes, and re-queries cores that did not
// answer under the query retry policy, until ctx ends.
func (s *session) follow(ctx context.Context, retry bool) error {
	sched, err := backoff.NewSchedule(s.d.cfg.queryRetry)
	if err != nil {
		return backoff.Permanent(err)
	}
	for {
		delay := time.Duration(-1) // none: wait for a change
		if !retry {
			sched.Reset()
		} else if next, ok := sched.Next(); ok {
			delay = next
		}
		if !wait(ctx, s.d.world.changed, delay) {
			return nil
		}
		if retry, err = s.sync(ctx, false); err != nil {
			return err
		}
	}
}

// wait blocks until changed fires, delay passes (never if negative) or ctx ends (false).
func wait(ctx context.Context, changed <-chan struct{}, delay time.Duration) bool {
	var timeout <-chan time.Time
	if delay >= 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case <-changed:
	case <-timeout:
	}
	return true
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
		s.d.metrics.add(mSyncErrors, "", 1)
		return false, err
	}
	failed += s.d.handBack(ctx, table)
	s.applied = table
	s.d.metrics.add(mSyncs, "", 1)
	s.d.metrics.add(mCalls, "", float64(changes.Len()))
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
			d.metrics.add(mQueryErrors, "", 1)
			d.cfg.log.Warn("core query failed", "core", p.Name, "addr", p.Addr, "err", err)
			continue
		}
		d.world.queried(p, devs)
	}
	return failed
}
