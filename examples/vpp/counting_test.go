package vpp_test

import (
	"context"
	"net/netip"
	"sync"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// callCounter counts the calls made on the connections it dials, by name ("dump", "add_vip",
// ...), leaving out Ping, which is the liveness probe's and not the sync path's.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) dial(dial vpp.DialFunc) vpp.DialFunc {
	return func(ctx context.Context) (vpp.Conn, error) {
		conn, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, c: c}, nil
	}
}

func (c *callCounter) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

// counts returns a copy of the counts so far.
func (c *callCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// since returns the calls made since before (a result of counts), leaving out names with none.
func (c *callCounter) since(before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range c.counts() {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

type countingConn struct {
	vpp.Conn
	c *callCounter
}

func (cc *countingConn) SetConf(ctx context.Context, conf vpp.Conf) error {
	cc.c.add("set_conf")
	return cc.Conn.SetConf(ctx, conf)
}

func (cc *countingConn) AddVIP(ctx context.Context, v vpp.VIP, p vpp.VIPParams) error {
	cc.c.add("add_vip")
	return cc.Conn.AddVIP(ctx, v, p)
}

func (cc *countingConn) DelVIP(ctx context.Context, v vpp.VIP) error {
	cc.c.add("del_vip")
	return cc.Conn.DelVIP(ctx, v)
}

func (cc *countingConn) AddAS(ctx context.Context, v vpp.VIP, a netip.Addr, w uint8) error {
	cc.c.add("add_as")
	return cc.Conn.AddAS(ctx, v, a, w)
}

func (cc *countingConn) DelAS(ctx context.Context, v vpp.VIP, a netip.Addr, flush bool) error {
	cc.c.add("del_as")
	return cc.Conn.DelAS(ctx, v, a, flush)
}

func (cc *countingConn) SetWeight(ctx context.Context, v vpp.VIP, a netip.Addr, w uint8, flush bool) error {
	cc.c.add("set_weight")
	return cc.Conn.SetWeight(ctx, v, a, w, flush)
}

func (cc *countingConn) Dump(ctx context.Context) ([]vpp.VIPEntry, error) {
	cc.c.add("dump")
	return cc.Conn.Dump(ctx)
}
