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
	return c.do(ctx, Call{Op: "set_conf"}, func() error { c.m.conf = conf; return nil })
}

func (c *memConn) AddVIP(ctx context.Context, v VIP) error {
	return c.do(ctx, Call{Op: "add_vip", VIP: v}, func() error {
		if _, ok := c.m.vips[v]; ok {
			return ErrExists
		}
		c.m.vips[v] = map[netip.Addr]uint8{}
		return nil
	})
}

func (c *memConn) DelVIP(ctx context.Context, v VIP) error {
	return c.do(ctx, Call{Op: "del_vip", VIP: v}, func() error {
		ass, ok := c.m.vips[v]
		switch {
		case !ok:
			return ErrNoSuchEntry
		case len(ass) > 0:
			return ErrInUse
		}
		delete(c.m.vips, v)
		return nil
	})
}

func (c *memConn) AddAS(ctx context.Context, v VIP, a netip.Addr, w uint8) error {
	return c.do(ctx, Call{Op: "add_as", VIP: v, Address: a, Weight: w}, func() error {
		ass, ok := c.m.vips[v]
		if !ok {
			return ErrNoSuchEntry
		}
		if _, ok := ass[a]; ok {
			return ErrExists
		}
		ass[a] = w
		return nil
	})
}

func (c *memConn) DelAS(ctx context.Context, v VIP, a netip.Addr, flush bool) error {
	return c.do(ctx, Call{Op: "del_as", VIP: v, Address: a, Flush: flush}, func() error {
		if _, ok := c.m.vips[v][a]; !ok {
			return ErrNoSuchEntry
		}
		delete(c.m.vips[v], a)
		return nil
	})
}

func (c *memConn) SetWeight(ctx context.Context, v VIP, a netip.Addr, w uint8, flush bool) error {
	return c.do(ctx, Call{Op: "set_weight", VIP: v, Address: a, Weight: w, Flush: flush}, func() error {
		if _, ok := c.m.vips[v][a]; !ok {
			return ErrNoSuchEntry
		}
		c.m.vips[v][a] = w
		return nil
	})
}

func (c *memConn) Dump(ctx context.Context) ([]VIPEntry, error) {
	var out []VIPEntry
	err := c.do(ctx, Call{}, func() error { out = c.m.dump(); return nil })
	return out, err
}
