package vpp

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/steadfast-go/steadfast/backoff"
)

// syncer is the one sync path, bound to one session's connection: for a frontend, it computes
// the desired set from the config and the checker's states, reads what the dataplane holds, and
// applies the difference ([Plan]). Every sync goes through it: checker events, the periodic
// drift sync and the re-push after a (re)connect.
type syncer struct {
	dp       Dataplane
	cfg      Config
	state    func(string) State
	log      *slog.Logger
	mu       sync.Mutex
	clean    map[asKey]bool // entries at weight 0 with no flow pinned: flushed, or added at 0
	observed func(frontend string, ops []Op)
}

type asKey struct {
	vip  VIP
	addr netip.Addr
}

// Sync makes the dataplane right for one frontend. An unknown frontend is a permanent error
// (dropped, not retried); a dataplane error is retried by the loop with per-key backoff.
func (s *syncer) Sync(ctx context.Context, name string) error {
	fe, ok := s.frontend(name)
	if !ok {
		return backoff.Permanent(fmt.Errorf("sync %s: no such frontend", name))
	}
	dump, err := s.dp.Dump(ctx)
	if err != nil {
		return fmt.Errorf("sync %s: dump: %w", name, err)
	}
	key := fe.Key()
	want := DesiredSet(fe, s.cfg.Backends, s.state)
	ops := Plan(key, Lookup(dump, key), want, func(a netip.Addr) bool { return s.isClean(key, a) })
	for _, op := range ops {
		if err := s.apply(ctx, op); err != nil {
			return fmt.Errorf("sync %s: %v: %w", name, op, err)
		}
		s.log.Debug("dataplane call", "frontend", name, "op", op.String())
	}
	if s.observed != nil {
		s.observed(name, ops)
	}
	return nil
}

func (s *syncer) frontend(name string) (Frontend, bool) {
	for _, f := range s.cfg.Frontends {
		if f.Name == name {
			return f, true
		}
	}
	return Frontend{}, false
}

// apply makes one call and remembers which entries are clean.
func (s *syncer) apply(ctx context.Context, op Op) error {
	var err error
	switch op.Kind {
	case OpAddVIP:
		err = s.dp.AddVIP(ctx, op.VIP)
	case OpDelAS:
		err = s.dp.DelAS(ctx, op.VIP, op.Address, op.Flush)
	case OpAddAS:
		err = s.dp.AddAS(ctx, op.VIP, op.Address, op.Weight)
	case OpSetWeight:
		err = s.dp.SetWeight(ctx, op.VIP, op.Address, op.Weight, op.Flush)
	}
	if err != nil || op.Kind == OpAddVIP {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := asKey{op.VIP, op.Address}
	switch {
	case op.Kind == OpDelAS || op.Weight > 0:
		delete(s.clean, k)
	case op.Kind == OpAddAS || op.Flush:
		s.clean[k] = true
	default: // drained to 0 without a flush: its flows may still be pinned to it
		delete(s.clean, k)
	}
	return nil
}

func (s *syncer) isClean(v VIP, a netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clean[asKey{v, a}]
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
