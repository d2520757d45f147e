package vpp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/steadfast-go/steadfast/backoff"
)

// frontendInfo is a frontend with the names of its members, computed once per controller.
type frontendInfo struct {
	f       Frontend
	members []string
}

// syncer is the one sync path, bound to one session's connection: for a frontend, it takes one
// snapshot of its backends' states, computes the desired set, and applies the difference
// ([Plan]) from what the session's image says the dataplane holds. Every sync goes through
// it: checker events, the periodic drift sync and the re-push after a (re)connect.
type syncer struct {
	dp        Dataplane
	frontends map[string]frontendInfo
	states    func(backends ...string) Snapshot
	img       *image
	log       *slog.Logger
	observed  func(frontend string, ops []Op)
}

// Sync makes the dataplane right for one frontend. An unknown frontend is a permanent error
// (dropped, not retried); a dataplane error is retried by the loop with per-key backoff, and
// makes the next sync dump the dataplane first.
func (s *syncer) Sync(ctx context.Context, name string) error {
	fi, ok := s.frontends[name]
	if !ok {
		return backoff.Permanent(fmt.Errorf("sync %s: no such frontend", name))
	}
	release, err := s.img.hold(ctx, s.dp.Dump)
	if err != nil {
		return fmt.Errorf("sync %s: dump: %w", name, err)
	}
	defer release()
	key := fi.f.Key()
	want := DesiredSet(fi.f, s.states(fi.members...))
	ops := Plan(key, fi.f.Params(), s.img.entry(key), want, s.img.isClean(key))
	for _, op := range ops {
		if err := s.call(ctx, op); err != nil {
			s.img.invalidate()
			return fmt.Errorf("sync %s: %v: %w", name, op, err)
		}
		s.img.applied(op)
		s.log.Debug("dataplane call", "frontend", name, "op", op.String())
	}
	if s.observed != nil {
		s.observed(name, ops)
	}
	return nil
}

// call makes one dataplane call.
func (s *syncer) call(ctx context.Context, op Op) error {
	switch op.Kind {
	case OpAddVIP:
		return s.dp.AddVIP(ctx, op.VIP, op.Params)
	case OpDelVIP:
		return s.dp.DelVIP(ctx, op.VIP)
	case OpDelAS:
		return s.dp.DelAS(ctx, op.VIP, op.Address, op.Flush)
	case OpAddAS:
		return s.dp.AddAS(ctx, op.VIP, op.Address, op.Weight)
	case OpSetWeight:
		return s.dp.SetWeight(ctx, op.VIP, op.Address, op.Weight, op.Flush)
	}
	return fmt.Errorf("unknown op kind %d", op.Kind)
}

// Lookup returns the entry of dump for v, or nil if the dataplane has no such VIP.
func Lookup(dump []VIPEntry, v VIP) *VIPEntry {
	for i := range dump {
		if dump[i].VIP == v {
			return &dump[i]
		}
	}
	return nil
}
