package vppbench

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// config is one frontend with one pool of two static backends (checked instantly).
func config() vpp.Config {
	return vpp.Config{
		Backends: []vpp.Backend{
			{Name: "a", Address: netip.MustParseAddr("10.0.0.1")},
			{Name: "b", Address: netip.MustParseAddr("10.0.0.2")},
		},
		Frontends: []vpp.Frontend{{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80,
			Pools: []vpp.Pool{{Name: "p", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 100}}}}}},
	}
}

// BenchmarkTransitionToDataplane measures, per iteration, the time from an operator's Disable
// or Enable of a backend (alternately) to the dataplane call that re-weights it, and reports
// its p50 and p99 in microseconds. The anchor "inline" runs the same dump, DesiredSet, Plan and
// calls synchronously in the checker's transition hook.
func BenchmarkTransitionToDataplane(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		changed := make(chan struct{}, 16)
		mem := vpp.NewMemDataplane()
		ctl, err := vpp.New(config(), mem.Dial, vpp.WithDriftInterval(0),
			vpp.OnSync(func(_ string, ops []vpp.Op) {
				if len(ops) > 0 {
					changed <- struct{}{}
				}
			}))
		if err != nil {
			b.Fatal(err)
		}
		stop := start(b, ctl.Run)
		defer stop()
		<-changed // the first push
		toggle(b, ctl.Checker(), changed)
	})
	b.Run("inline", benchInline)
}

// benchInline is the anchor: the checker's hook does the dump, plan and calls itself.
func benchInline(b *testing.B) {
	changed := make(chan struct{}, 16)
	mem := vpp.NewMemDataplane()
	conn, err := mem.Dial(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cfg := config()
	var mu sync.Mutex // the two backends' hooks may run at once
	snap := vpp.Snapshot{}
	for _, be := range cfg.Backends {
		snap[be.Name] = vpp.BackendState{Address: be.Address}
	}
	ck := vpp.NewChecker(cfg.Backends, vpp.OnTransition(func(ev vpp.Event) {
		mu.Lock()
		defer mu.Unlock()
		bs := snap[ev.Backend]
		bs.State = ev.To
		snap[ev.Backend] = bs
		if inlineSync(conn, cfg, snap) > 0 {
			changed <- struct{}{}
		}
	}))
	stop := start(b, ck.Run)
	defer stop()
	<-ck.FirstRound()
	for len(changed) > 0 {
		<-changed
	}
	toggle(b, ck, changed)
}

// inlineSync is the anchor's sync: the same steps as the controller's before it kept an image
// of the dataplane (a dump per sync), with no queue.
func inlineSync(dp vpp.Dataplane, cfg vpp.Config, snap vpp.Snapshot) int {
	ctx := context.Background()
	f := cfg.Frontends[0]
	dump, err := dp.Dump(ctx)
	if err != nil {
		return 0
	}
	want := vpp.DesiredSet(f, snap)
	ops := vpp.Plan(f.Key(), f.Params(), vpp.Lookup(dump, f.Key()), want, func(netip.Addr) bool { return false })
	for _, op := range ops {
		switch op.Kind {
		case vpp.OpAddVIP:
			_ = dp.AddVIP(ctx, op.VIP, op.Params)
		case vpp.OpDelVIP:
			_ = dp.DelVIP(ctx, op.VIP)
		case vpp.OpAddAS:
			_ = dp.AddAS(ctx, op.VIP, op.Address, op.Weight)
		case vpp.OpDelAS:
			_ = dp.DelAS(ctx, op.VIP, op.Address, op.Flush)
		case vpp.OpSetWeight:
			_ = dp.SetWeight(ctx, op.VIP, op.Address, op.Weight, op.Flush)
		}
	}
	return len(ops)
}

// toggle disables and enables backend "a" in turn, timing each until changed fires.
func toggle(b *testing.B, ck *vpp.Checker, changed <-chan struct{}) {
	var samples []time.Duration
	for i := 0; b.Loop(); i++ {
		op := ck.Disable
		if i%2 == 1 {
			op = ck.Enable
		}
		t0 := time.Now()
		if err := op("a"); err != nil {
			b.Fatal(err)
		}
		select {
		case <-changed:
		case <-time.After(5 * time.Second):
			b.Fatal("the dataplane did not change within 5s")
		}
		samples = append(samples, time.Since(t0))
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// start runs fn in a goroutine and returns a function that stops it and waits for it.
func start(b *testing.B, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}
