package vpp_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/vpp"
)

const drift = 10 * time.Second

// harness is a controller over an in-memory dataplane and a fake prober, inside a synctest
// bubble: every wait is on the fake clock.
type harness struct {
	cfg    vpp.Config
	mem    *vpp.MemDataplane
	prober *fakeProber
	calls  *callCounter // every call the controller makes on its connections but Ping
	ctl    *vpp.Controller
	stop   func() error

	converged int          // calls made to converge at start
	extra     []vpp.Option // more options for the controller, after the harness's

	mu    sync.Mutex
	syncs [][]vpp.Op
}

// startController runs a controller on validConfig (checks every second, rise 2, fall 2;
// pools primary a:100 b:50, secondary c:100, sorry s:10 static) and lets it converge.
func startController(t *testing.T) *harness {
	t.Helper()
	h := newHarness()
	h.start(t, h.prober)
	return h
}

func newHarness() *harness {
	return &harness{cfg: validConfig(), mem: vpp.NewMemDataplane(), prober: newFakeProber(), calls: &callCounter{}}
}

// start runs the controller with prober p and waits until everything settles.
func (h *harness) start(t *testing.T, p vpp.Prober) {
	t.Helper()
	h.cfg.Conf = vpp.Conf{StickyBucketsPerCore: 1024, FlowTimeout: 40 * time.Second}
	fast := backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	opts := []vpp.Option{vpp.WithCheckerOptions(vpp.WithProber(p)),
		vpp.WithDriftInterval(drift),
		vpp.WithPingOptions(connctx.WithProbeInterval(100*time.Millisecond), connctx.WithProbeTimeout(50*time.Millisecond), connctx.WithProbeThreshold(2)),
		vpp.WithSuperviseOptions(connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast)),
		vpp.OnSync(h.onSync)}
	ctl, err := vpp.New(h.cfg, h.calls.dial(h.mem.Dial), append(opts, h.extra...)...)
	require.NoError(t, err)
	h.ctl = ctl
	h.stop = run(t, ctl.Run)
	synctest.Wait()
	h.converged = len(h.mem.Calls())
}

func (h *harness) onSync(_ string, ops []vpp.Op) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.syncs = append(h.syncs, ops)
}

// weights returns the weight the dataplane holds per backend name (absent ones left out).
func (h *harness) weights() map[string]int {
	out := map[string]int{}
	e := vpp.Lookup(h.mem.Snapshot(), h.cfg.Frontends[0].Key())
	if e == nil {
		return out
	}
	for _, as := range e.ASs {
		name := as.Address.String()
		for _, b := range h.cfg.Backends {
			if b.Address == as.Address {
				name = b.Name
			}
		}
		out[name] = int(as.Weight)
	}
	return out
}

// weightCalls returns the set_weight calls made for a backend since the controller converged
// at start, as "weight" or "weight flush".
func (h *harness) weightCalls(backend string) []string {
	var out []string
	for _, c := range h.mem.Calls()[h.converged:] {
		for _, b := range h.cfg.Backends {
			if b.Name == backend && b.Address == c.Address && c.Op == "set_weight" {
				out = append(out, fmt.Sprint(c.Weight)+map[bool]string{true: " flush", false: ""}[c.Flush])
			}
		}
	}
	return out
}

// indexOf returns the index of a backend in the config.
func indexOf(cfg vpp.Config, backend string) int {
	return slices.IndexFunc(cfg.Backends, func(b vpp.Backend) bool { return b.Name == backend })
}

// lbCalls counts the calls to VIPs and servers (set_conf left out).
func lbCalls(calls []vpp.Call) int {
	n := 0
	for _, c := range calls {
		if c.Op != "set_conf" {
			n++
		}
	}
	return n
}

// syncCount returns how many syncs have succeeded so far.
func (h *harness) syncCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.syncs)
}
