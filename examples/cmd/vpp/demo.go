package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/vpp"
)

// stepDeadline bounds how long a step may take to reach its expected table.
const stepDeadline = 10 * time.Second

// demo is the controller, its dataplane and backends, and the script's output.
type demo struct {
	cfg      vpp.Config
	mem      *vpp.MemDataplane
	ctl      *vpp.Controller
	backends backendSet
	out      io.Writer
	deadline time.Duration // per step; stepDeadline
}

// config builds the demo's frontend: pool primary (a 100, b 100), pool secondary (c 100,
// d 50), pool sorry (s 10, a static backend with no server and no check).
func config(backends backendSet) vpp.Config {
	check := func(name string) vpp.Backend {
		hb := backends[name]
		return vpp.Backend{Name: name, Address: hb.addr.Addr(), Check: vpp.HealthCheck{
			Type: vpp.CheckHTTP, Port: hb.addr.Port(), Path: "/healthz",
			Interval: 100 * time.Millisecond, Timeout: 100 * time.Millisecond, Rise: 2, Fall: 2}}
	}
	return vpp.Config{
		Conf: vpp.Conf{IP4Src: netip.MustParseAddr("192.0.2.254"), StickyBucketsPerCore: 1024, FlowTimeout: 40 * time.Second},
		Backends: []vpp.Backend{check("a"), check("b"), check("c"), check("d"),
			{Name: "s", Address: netip.MustParseAddr("127.0.0.31")}},
		Frontends: []vpp.Frontend{{
			Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80,
			Pools: []vpp.Pool{
				{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 100}}},
				{Name: "secondary", Members: []vpp.Member{{Backend: "c", Weight: 100}, {Backend: "d", Weight: 50}}},
				{Name: "sorry", Members: []vpp.Member{{Backend: "s", Weight: 10}}},
			},
		}},
	}
}

func newDemo(backends backendSet, out io.Writer, log *slog.Logger) (*demo, error) {
	d := &demo{cfg: config(backends), mem: vpp.NewMemDataplane(), backends: backends, out: out, deadline: stepDeadline}
	fast := backoff.Policy{Initial: 100 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	ctl, err := vpp.NewController(d.cfg, d.mem.Dial,
		vpp.WithLogger(log),
		vpp.WithDriftInterval(2*time.Second),
		vpp.WithPingOptions(connctx.ProbeInterval(100*time.Millisecond),
			connctx.ProbeTimeout(100*time.Millisecond), connctx.ProbeThreshold(2)),
		vpp.WithSuperviseOptions(connctx.DialPolicy(fast), connctx.RestartPolicy(fast)))
	if err != nil {
		return nil, err
	}
	d.ctl = ctl
	return d, nil
}

// want is one expected row: effective weight and state of a backend.
type want struct {
	weight int
	state  vpp.State
}

// step is one move of the script and the table it must lead to.
type step struct {
	title    string
	act      func(ctx context.Context) error
	sessions int // at least this many dataplane sessions (0: any)
	want     map[string]want
}

var (
	up       = func(w int) want { return want{w, vpp.StateUp} }
	down     = want{0, vpp.StateDown}
	disabled = want{0, vpp.StateDisabled}
)

func (d *demo) script() []step {
	ck := d.ctl.Checker()
	nothing := func(context.Context) error { return nil }
	return []step{
		{"start: pool primary serves", nothing, 1,
			map[string]want{"a": up(100), "b": up(100), "c": up(0), "d": up(0), "s": up(0)}},
		{"stop backend b's HTTP server", func(context.Context) error { d.backends["b"].stop(); return nil }, 0,
			map[string]want{"a": up(100), "b": down, "c": up(0), "d": up(0), "s": up(0)}},
		{"disable pool primary: failover to secondary", func(context.Context) error { return forEach(ck.Disable, "a", "b") }, 0,
			map[string]want{"a": disabled, "b": disabled, "c": up(100), "d": up(50), "s": up(0)}},
		{"enable pool primary again: a is up, b is still stopped", func(context.Context) error { return forEach(ck.Enable, "a", "b") }, 0,
			map[string]want{"a": up(100), "b": down, "c": up(0), "d": up(0), "s": up(0)}},
		{"restart the dataplane: it forgets everything, the controller re-pushes", d.restart, 2,
			map[string]want{"a": up(100), "b": down, "c": up(0), "d": up(0), "s": up(0)}},
		{"start backend b's HTTP server again: up after rise passes", func(ctx context.Context) error { return d.backends["b"].start(ctx) }, 0,
			map[string]want{"a": up(100), "b": up(100), "c": up(0), "d": up(0), "s": up(0)}},
	}
}

func forEach(fn func(string) error, names ...string) error {
	for _, n := range names {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

// play runs the script: each step's action, then a wait until the table is the expected one
// (or stepDeadline passes), then the table. It returns an error naming the first step whose
// table was not the expected one.
func (d *demo) play(ctx context.Context) error {
	for i, s := range d.script() {
		fmt.Fprintf(d.out, "\n== step %d: %s\n", i+1, s.title)
		if err := s.act(ctx); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		rows, ok := d.await(ctx, s)
		fe := d.cfg.Frontends[0]
		if err := vpp.WriteTable(d.out, fe, rows); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("step %d (%s): the table is not the expected one after %v", i+1, s.title, d.deadline)
		}
	}
	fmt.Fprintf(d.out, "\nall steps reached their expected table; dataplane sessions: %d, dataplane calls: %d\n",
		d.ctl.Sessions(), len(d.mem.Calls()))
	return nil
}

// await polls the table until it matches the step's expectation or the deadline passes.
func (d *demo) await(ctx context.Context, s step) ([]vpp.Row, bool) {
	ctx, cancel := context.WithTimeout(ctx, d.deadline)
	defer cancel()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		rows := d.table()
		if d.ctl.Sessions() >= s.sessions && matches(rows, s.want) {
			return rows, true
		}
		select {
		case <-ctx.Done():
			return rows, false
		case <-poll.C:
		}
	}
}

func (d *demo) table() []vpp.Row {
	fe := d.cfg.Frontends[0]
	return vpp.Table(fe, d.cfg.Backends, d.ctl.Checker().State, vpp.Lookup(d.mem.Snapshot(), fe.Key()))
}

func matches(rows []vpp.Row, w map[string]want) bool {
	if len(rows) != len(w) {
		return false
	}
	for _, r := range rows {
		if x, ok := w[r.Backend]; !ok || x.weight != r.Effective || x.state != r.State {
			return false
		}
	}
	return true
}

// restart restarts the dataplane and shows that it forgot everything.
func (d *demo) restart(context.Context) error {
	d.mem.Restart()
	fmt.Fprintf(d.out, "   right after the restart the dataplane holds %d VIPs\n", len(d.mem.Snapshot()))
	return nil
}
