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

// demo is the controller, its dataplane and backends, the operator view it reads over HTTP,
// and the script's output.
type demo struct {
	cfg      vpp.Config
	mem      *vpp.MemDataplane
	ctl      *vpp.Controller
	backends backendSet
	view     viewClient // set once the view server runs
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
			Encap: vpp.EncapGRE4, NewFlowsTableLength: 1024,
			Pools: []vpp.Pool{
				{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 100}}},
				{Name: "secondary", Members: []vpp.Member{{Backend: "c", Weight: 100}, {Backend: "d", Weight: 50}}},
				{Name: "sorry", Members: []vpp.Member{{Backend: "s", Weight: 10}}},
			},
		}},
	}
}

func newDemo(backends backendSet, out io.Writer, log *slog.Logger, extra ...vpp.Option) (*demo, error) {
	d := &demo{cfg: config(backends), mem: vpp.NewMemDataplane(), backends: backends, out: out, deadline: stepDeadline}
	fast := backoff.Policy{Initial: 100 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	ctl, err := vpp.New(d.cfg, d.mem.Dial, append([]vpp.Option{
		vpp.WithLogger(log),
		vpp.WithDriftInterval(2 * time.Second),
		vpp.WithPingOptions(connctx.WithProbeInterval(100*time.Millisecond),
			connctx.WithProbeTimeout(100*time.Millisecond), connctx.WithProbeThreshold(2)),
		vpp.WithSuperviseOptions(connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast))}, extra...)...)
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

// play runs the script: each step's action, then a wait until the operator view, read over
// HTTP, is the expected one and the dataplane agrees with it (or the deadline passes), then
// the view's text form, read over HTTP too. It returns an error naming the first step whose
// view was not the expected one.
func (d *demo) play(ctx context.Context) error {
	fmt.Fprintf(d.out, "operator view: %s\n", vpp.ViewURL(d.view.base, "web", true))
	for i, s := range d.script() {
		fmt.Fprintf(d.out, "\n== step %d: %s\n", i+1, s.title)
		if err := s.act(ctx); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		ok, why := d.await(ctx, s)
		text, err := d.view.text(ctx, "web")
		if err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		fmt.Fprint(d.out, text)
		if !ok {
			return fmt.Errorf("step %d (%s): the view is not the expected one after %v: %s", i+1, s.title, d.deadline, why)
		}
	}
	fmt.Fprintf(d.out, "\nall steps reached their expected view; dataplane sessions: %d, dataplane calls: %d\n",
		d.ctl.Sessions(), len(d.mem.Calls()))
	return nil
}

// await polls the view until it matches the step's expectation or the deadline passes; it
// returns whether it did, and what was wrong the last time if not.
func (d *demo) await(ctx context.Context, s step) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, d.deadline)
	defer cancel()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	last := "no view read"
	for {
		why := d.check(ctx, s)
		switch {
		case why == "":
			return true, ""
		case ctx.Err() != nil: // a read cut short by the deadline says nothing of the view
			return false, last
		}
		last = why
		select {
		case <-ctx.Done():
			return false, last
		case <-poll.C:
		}
	}
}

// check returns what keeps the view from being the step's expected one, or "".
func (d *demo) check(ctx context.Context, s step) string {
	if n := d.ctl.Sessions(); n < s.sessions {
		return fmt.Sprintf("%d dataplane sessions, want %d", n, s.sessions)
	}
	views, err := d.view.frontends(ctx, "web")
	if err != nil {
		return err.Error()
	}
	if len(views) != 1 {
		return fmt.Sprintf("%d frontends in the view", len(views))
	}
	fe := d.cfg.Frontends[0]
	if why := matches(views[0], s.want); why != "" {
		return why
	}
	return agrees(views[0], vpp.Lookup(d.mem.Snapshot(), fe.Key()))
}

// matches returns "" if every backend of the view has its expected effective weight, the
// same weight in the dataplane, and its expected state; otherwise what differs.
func matches(v vpp.FrontendView, w map[string]want) string {
	if len(v.Backends) != len(w) {
		return fmt.Sprintf("%d backends, want %d", len(v.Backends), len(w))
	}
	for _, b := range v.Backends {
		x, ok := w[b.Backend]
		switch {
		case !ok:
			return fmt.Sprintf("backend %s not expected", b.Backend)
		case int(b.Effective) != x.weight || b.State != x.state:
			return fmt.Sprintf("%s: effective %d %v, want %d %v", b.Backend, b.Effective, b.State, x.weight, x.state)
		case b.Dataplane == nil || int(*b.Dataplane) != x.weight:
			return fmt.Sprintf("%s: the view has no dataplane weight %d", b.Backend, x.weight)
		}
	}
	return ""
}

// agrees returns "" if the dataplane itself holds the weights the view says it holds.
func agrees(v vpp.FrontendView, held *vpp.VIPEntry) string {
	if held == nil {
		return "the dataplane has no VIP"
	}
	weights := map[netip.Addr]uint8{}
	for _, as := range held.ASs {
		weights[as.Address] = as.Weight
	}
	for _, b := range v.Backends {
		w, ok := weights[b.Address]
		switch {
		case !ok || b.Dataplane == nil:
			return fmt.Sprintf("%s: the dataplane or the view has no entry", b.Backend)
		case w != *b.Dataplane:
			return fmt.Sprintf("%s: the dataplane holds %d, the view says %d", b.Backend, w, *b.Dataplane)
		}
	}
	return ""
}

// restart restarts the dataplane and shows that it forgot everything.
func (d *demo) restart(context.Context) error {
	d.mem.Restart()
	fmt.Fprintf(d.out, "   right after the restart the dataplane holds %d VIPs\n", len(d.mem.Snapshot()))
	return nil
}
