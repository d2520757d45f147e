package vpp

import (
	"context"
	"net/netip"
)

// memConn is one connection to a MemDataplane. It works while the dataplane is in the epoch
// it was made in and the connection is not closed.
type memConn struct {
	m      *MemDataplane
	epoch  int
	closed bool // guarded by m.mu
}

var _ Conn = (*memConn)(nil)

// do runs fn under the dataplane's lock if the connection is alive, and records call if fn
// succeeds and call.Op is set (a mutating call; those are the ones FailNext fails).
func (c *memConn) do(ctx context.Context, call Call, fn func() error) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if c.closed || !c.m.running || c.epoch != c.m.epoch {
		return ErrDisconnected
	}
	if call.Op != "" && c.m.fails > 0 {
		c.m.fails--
		return c.m.failErr
	}
	if err := fn(); err != nil {
		return err
	}
	if call.Op != "" {
		c.m.calls = append(c.m.calls, call)
	}
	return nil
}

// Close ends the connection; later calls on it fail with ErrDisconnected.
func (c *memConn) Close() error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.closed = true
	return nil
}

// The methods below are the Dataplane interface's, as documented there.

func (c *memConn) Ping(ctx context.Context) error {
	return c.do(ctx, Call{}, func() error { return nil })
}

func (c *memConn) SetConf(ctx context.Context, conf Conf) error {
	return c.do(ctx, Call{Op: "set_conf"}, func() error {
		if b := conf.StickyBucketsPerCore; b != 0 && !isPow2(b) {
			return ErrInvalidMemorySize
		}
		old := c.m.conf
		c.m.conf = conf
		if conf.StickyBucketsPerCore == 0 { // 0xffffffff on the wire: keep
			c.m.conf.StickyBucketsPerCore = old.StickyBucketsPerCore
		}
		if conf.FlowTimeout == 0 {
			c.m.conf.FlowTimeout = old.FlowTimeout
		}
		return nil
	})
}

func (c *memConn) AddVIP(ctx context.Context, v VIP, p VIPParams) error {
	return c.do(ctx, Call{Op: "add_vip", VIP: v, Params: p}, func() error {
		if _, ok := c.m.vips[v]; ok {
			return ErrExists
		}
		if err := c.m.vipParamsOK(v, p); err != nil {
			return err
		}
		c.m.vips[v] = &memVIP{params: p, ass: map[netip.Addr]uint8{}}
		return nil
	})
}

func (c *memConn) DelVIP(ctx context.Context, v VIP) error {
	return c.do(ctx, Call{Op: "del_vip", VIP: v}, func() error {
		mv, ok := c.m.vips[v]
		switch {
		case !ok:
			return ErrNoSuchEntry
		case len(mv.ass) > 0:
			return ErrInUse
		}
		delete(c.m.vips, v)
		return nil
	})
}

func (c *memConn) AddAS(ctx context.Context, v VIP, a netip.Addr, w uint8) error {
	return c.do(ctx, Call{Op: "add_as", VIP: v, Address: a, Weight: w}, func() error {
		mv, ok := c.m.vips[v]
		switch {
		case !ok:
			return ErrNoSuchEntry
		case !mv.params.serverFamilyOK(a):
			return ErrAddressFamily
		case w > MaxWeight:
			return ErrInvalidArgument
		}
		if _, ok := mv.ass[a]; ok {
			return ErrExists
		}
		mv.ass[a] = w
		return nil
	})
}

func (c *memConn) DelAS(ctx context.Context, v VIP, a netip.Addr, flush bool) error {
	return c.do(ctx, Call{Op: "del_as", VIP: v, Address: a, Flush: flush}, func() error {
		mv, ok := c.m.vips[v]
		if !ok {
			return ErrNoSuchEntry
		}
		if _, ok := mv.ass[a]; !ok {
			return ErrNoSuchEntry
		}
		delete(mv.ass, a)
		return nil
	})
}

func (c *memConn) SetWeight(ctx context.Context, v VIP, a netip.Addr, w uint8, flush bool) error {
	return c.do(ctx, Call{Op: "set_weight", VIP: v, Address: a, Weight: w, Flush: flush}, func() error {
		mv, ok := c.m.vips[v]
		if !ok {
			return ErrNoSuchEntry
		}
		if _, ok := mv.ass[a]; !ok {
			return ErrNoSuchEntry
		}
		if w > MaxWeight {
			return ErrInvalidArgument
		}
		mv.ass[a] = w
		return nil
	})
}

func (c *memConn) Dump(ctx context.Context) ([]VIPEntry, error) {
	var out []VIPEntry
	err := c.do(ctx, Call{}, func() error { out = c.m.dump(); return nil })
	return out, err
}
