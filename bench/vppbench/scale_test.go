package vppbench

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// asPerVIP is how many application servers each VIP of the scale benchmark has.
const asPerVIP = 8

// scaleConfig is n frontends (198.18.0.0/15, port 80), each with one pool of asPerVIP static
// backends of its own (10.i/256.i%256.1 to .8), so that a backend's transition concerns one VIP.
func scaleConfig(n int) vpp.Config {
	var cfg vpp.Config
	for i := range n {
		f := vpp.Frontend{Name: fmt.Sprintf("fe%d", i), Protocol: vpp.TCP, Port: 80,
			VIP: netip.AddrFrom4([4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)})}
		pool := vpp.Pool{Name: "p"}
		for j := range asPerVIP {
			name := fmt.Sprintf("fe%d-b%d", i, j)
			cfg.Backends = append(cfg.Backends, vpp.Backend{Name: name,
				Address: netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), byte(j + 1)})})
			pool.Members = append(pool.Members, vpp.Member{Backend: name, Weight: 100})
		}
		f.Pools = []vpp.Pool{pool}
		cfg.Frontends = append(cfg.Frontends, f)
	}
	return cfg
}

// scaled is a controller over n VIPs on an in-memory dataplane, with every call it makes on
// the dataplane (Ping left out) counted, and each re-weight announced on weighted.
type scaled struct {
	n        int
	ctl      *vpp.Controller
	calls    atomic.Int64
	weighted chan struct{} // buffered: one per set_weight the dataplane served
	stop     func()
	samples  []time.Duration
}

func startScaled(b *testing.B, n int) *scaled {
	s := &scaled{n: n, weighted: make(chan struct{}, 16)}
	mem := vpp.NewMemDataplane()
	synced := make(chan struct{}, n)
	var first atomic.Int64
	ctl, err := vpp.New(scaleConfig(n), s.dial(mem.Dial), vpp.WithDriftInterval(0),
		vpp.OnSync(func(string, []vpp.Op) {
			if first.Add(1) <= int64(n) {
				synced <- struct{}{}
			}
		}))
	if err != nil {
		b.Fatal(err)
	}
	s.ctl = ctl
	s.stop = start(b, ctl.Run)
	for range n { // the first push of every VIP
		<-synced
	}
	s.calls.Store(0)
	return s
}

// toggle disables (or enables) one backend of the middle VIP, times it until the dataplane
// has re-weighted it, and checks that the previous toggle made exactly one call.
func (s *scaled) toggle(b *testing.B, i int) {
	if got := s.calls.Swap(0); i > 0 && got != 1 {
		b.Fatalf("%d VIPs: a transition made %d dataplane calls, want 1", s.n, got)
	}
	op, backend := s.ctl.Checker().Disable, fmt.Sprintf("fe%d-b3", s.n/2)
	if i%2 == 1 {
		op = s.ctl.Checker().Enable
	}
	t0 := time.Now()
	if err := op(backend); err != nil {
		b.Fatal(err)
	}
	select {
	case <-s.weighted:
	case <-time.After(5 * time.Second):
		b.Fatalf("%d VIPs: the dataplane was not re-weighted within 5s", s.n)
	}
	s.samples = append(s.samples, time.Since(t0))
}

func (s *scaled) p50() time.Duration {
	sorted := slices.Clone(s.samples)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

// BenchmarkTransitionAtScale measures the time from a backend's Disable or Enable to the
// dataplane's re-weight call, on 10 VIPs and on 1,000 VIPs of 8 servers each, alternately in
// the same loop, checks that every transition makes exactly one dataplane call (no dump), and
// reports both medians and their ratio: the time of a transition must not grow with the
// number of VIPs.
func BenchmarkTransitionAtScale(b *testing.B) {
	small, large := startScaled(b, 10), startScaled(b, 1000)
	defer small.stop()
	defer large.stop()
	for i := 0; b.Loop(); i++ {
		small.toggle(b, i)
		large.toggle(b, i)
	}
	b.StopTimer()
	for _, s := range []*scaled{small, large} { // the last toggle's, as far as it went
		if got := s.calls.Load(); got != 1 {
			b.Fatalf("%d VIPs: the last transition made %d dataplane calls, want 1", s.n, got)
		}
	}
	b.ReportMetric(float64(small.p50())/float64(time.Microsecond), "p50-µs-10vips")
	b.ReportMetric(float64(large.p50())/float64(time.Microsecond), "p50-µs-1000vips")
	b.ReportMetric(float64(large.p50())/float64(small.p50()), "x-1000-vs-10")
	b.ReportMetric(1, "calls/transition") // checked above for every transition
}

// dial wraps the dataplane's connections so that every call but Ping is counted.
func (s *scaled) dial(dial vpp.DialFunc) vpp.DialFunc {
	return func(ctx context.Context) (vpp.Conn, error) {
		c, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		return &countedConn{Conn: c, s: s}, nil
	}
}

type countedConn struct {
	vpp.Conn
	s *scaled
}

func (c *countedConn) SetConf(ctx context.Context, conf vpp.Conf) error {
	c.s.calls.Add(1)
	return c.Conn.SetConf(ctx, conf)
}

func (c *countedConn) AddVIP(ctx context.Context, v vpp.VIP, p vpp.VIPParams) error {
	c.s.calls.Add(1)
	return c.Conn.AddVIP(ctx, v, p)
}

func (c *countedConn) DelVIP(ctx context.Context, v vpp.VIP) error {
	c.s.calls.Add(1)
	return c.Conn.DelVIP(ctx, v)
}

func (c *countedConn) AddAS(ctx context.Context, v vpp.VIP, a netip.Addr, w uint8) error {
	c.s.calls.Add(1)
	return c.Conn.AddAS(ctx, v, a, w)
}

func (c *countedConn) DelAS(ctx context.Context, v vpp.VIP, a netip.Addr, flush bool) error {
	c.s.calls.Add(1)
	return c.Conn.DelAS(ctx, v, a, flush)
}

func (c *countedConn) SetWeight(ctx context.Context, v vpp.VIP, a netip.Addr, w uint8, flush bool) error {
	c.s.calls.Add(1)
	err := c.Conn.SetWeight(ctx, v, a, w, flush)
	if err == nil {
		c.s.weighted <- struct{}{}
	}
	return err
}

func (c *countedConn) Dump(ctx context.Context) ([]vpp.VIPEntry, error) {
	c.s.calls.Add(1)
	return c.Conn.Dump(ctx)
}
