package vpp_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
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
	ctl    *vpp.Controller
	stop   func() error

	converged int // calls made to converge at start

	mu    sync.Mutex
	syncs [][]vpp.Op
}

// startController runs a controller on validConfig (checks every second, rise 2, fall 2;
// pools primary a:100 b:50, secondary c:100, sorry s:10 static) and lets it converge.
func startController(t *testing.T) *harness {
	t.Helper()
	h := &harness{cfg: validConfig(), mem: vpp.NewMemDataplane(), prober: newFakeProber()}
	h.cfg.Conf = vpp.Conf{StickyBucketsPerCore: 1024, FlowTimeout: 40 * time.Second}
	fast := backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	ctl, err := vpp.NewController(h.cfg, h.mem.Dial,
		vpp.WithCheckerOptions(vpp.WithProber(h.prober)),
		vpp.WithDriftInterval(drift),
		vpp.WithPingOptions(connctx.ProbeInterval(100*time.Millisecond), connctx.ProbeTimeout(50*time.Millisecond), connctx.ProbeThreshold(2)),
		vpp.WithSuperviseOptions(connctx.DialPolicy(fast), connctx.RestartPolicy(fast)),
		vpp.OnSync(h.onSync))
	require.NoError(t, err)
	h.ctl = ctl
	h.stop = run(t, ctl.Run)
	synctest.Wait()
	h.converged = len(h.mem.Calls())
	return h
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

func TestController_FirstSessionPushesEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights(),
			"primary active; secondary and sorry on standby at weight 0")
		assert.Equal(t, h.cfg.Conf, h.mem.Conf(), "the global conf is set")
		assert.Equal(t, 1, h.ctl.Sessions())
		require.NoError(t, h.stop())
	})
}

func TestController_FailoverThroughTheSyncPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		steps := []struct {
			name string
			act  func()
			wait int // check intervals
			want map[string]int
		}{
			{"a fails: drained and flushed, b alone serves", func() { h.prober.set("a", errRefused) }, 2,
				map[string]int{"a": 0, "b": 50, "c": 0, "s": 0}},
			{"b fails: the secondary pool takes over", func() { h.prober.set("b", errRefused) }, 2,
				map[string]int{"a": 0, "b": 0, "c": 100, "s": 0}},
			{"c fails: the third tier takes over", func() { h.prober.set("c", errRefused) }, 2,
				map[string]int{"a": 0, "b": 0, "c": 0, "s": 10}},
			{"a recovers after rise passes: back to primary", func() { h.prober.set("a", nil) }, 2,
				map[string]int{"a": 100, "b": 0, "c": 0, "s": 0}},
		}
		for _, st := range steps {
			st.act()
			tick(st.wait)
			assert.Equal(t, st.want, h.weights(), st.name)
		}
		assert.Equal(t, []string{"0 flush", "100"}, h.weightCalls("a"), "a: flushed going down, restored up")
		assert.Equal(t, []string{"0 flush"}, h.weightCalls("b"))
		assert.Equal(t, []string{"100", "0 flush"}, h.weightCalls("c"))
		assert.Equal(t, []string{"10", "0"}, h.weightCalls("s"), "a standby pool is drained, never flushed")
		require.NoError(t, h.stop())
	})
}

func TestController_DisabledPoolFailsOverAndKeepsItsEntriesEnableBringsItBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		ck := h.ctl.Checker()
		require.NoError(t, ck.Disable("a"))
		require.NoError(t, ck.Disable("b"))
		synctest.Wait()
		assert.Equal(t, map[string]int{"a": 0, "b": 0, "c": 100, "s": 0}, h.weights(),
			"disabled backends keep their entry at weight 0")
		require.NoError(t, ck.Enable("a"))
		require.NoError(t, ck.Enable("b"))
		synctest.Wait() // enabled backends are checked at once
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights())
		assert.Equal(t, []string{"0 flush", "100"}, h.weightCalls("a"))
		require.NoError(t, h.stop())
	})
}

func TestController_DrainedStandbyThatGoesDownIsFlushedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		h.prober.set("a", errRefused)
		h.prober.set("b", errRefused)
		tick(2) // secondary active: c carries traffic
		h.prober.set("a", nil)
		tick(2) // back to primary: c drained, not flushed
		h.prober.set("c", errRefused)
		tick(2) // c goes down at weight 0: flushed now, once
		tick(3 * int(drift/interval))
		assert.Equal(t, []string{"100", "0", "0 flush"}, h.weightCalls("c"))
		require.NoError(t, h.stop())
	})
}

func TestController_DriftIsRepaired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		ctx := context.Background()
		side, err := h.mem.Dial(ctx) // someone else's connection
		require.NoError(t, err)
		key := h.cfg.Frontends[0].Key()
		foreign := vpp.VIP{Prefix: vip.Prefix, Protocol: vpp.UDP, Port: 53}
		require.NoError(t, side.SetWeight(ctx, key, addrA, 7, false))
		require.NoError(t, side.DelAS(ctx, key, addrB, false))
		require.NoError(t, side.AddAS(ctx, key, addrX, 5))
		require.NoError(t, side.AddVIP(ctx, foreign))
		assert.Equal(t, map[string]int{"a": 7, "c": 0, "s": 0, addrX.String(): 5}, h.weights())
		time.Sleep(drift + drift/10)
		synctest.Wait()
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights(), "the drift sync put it back")
		assert.NotNil(t, vpp.Lookup(h.mem.Snapshot(), foreign), "a VIP the controller does not own is left alone")
		require.NoError(t, h.stop())
	})
}

func TestController_DriftSyncOfARightDataplaneMakesNoCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		calls := len(h.mem.Calls())
		h.mu.Lock()
		before := len(h.syncs)
		h.mu.Unlock()
		time.Sleep(5 * drift)
		synctest.Wait()
		assert.Len(t, h.mem.Calls(), calls, "no mutating call in steady state")
		h.mu.Lock()
		defer h.mu.Unlock()
		assert.GreaterOrEqual(t, len(h.syncs)-before, 4, "the drift syncs did run")
		for _, ops := range h.syncs[before:] {
			assert.Empty(t, ops)
		}
		require.NoError(t, h.stop())
	})
}

func TestController_RestartedDataplaneIsDetectedByPingAndRePushed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		want := h.weights()
		h.mem.Restart()
		assert.Empty(t, h.weights(), "the restart forgot everything")
		time.Sleep(time.Second) // two failed pings, teardown, restart backoff, dial
		synctest.Wait()
		assert.Equal(t, 2, h.ctl.Sessions(), "the lost session was replaced")
		assert.Equal(t, want, h.weights(), "everything was pushed again")
		assert.Equal(t, h.cfg.Conf, h.mem.Conf(), "the global conf too")
		require.NoError(t, h.stop())
	})
}

func TestController_ChangesWhileTheDataplaneIsDownArePushedWhenItIsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		h.mem.Stop()
		h.prober.set("a", errRefused)
		require.NoError(t, h.ctl.Checker().Disable("b"))
		tick(3)
		assert.Empty(t, h.weights())
		h.mem.Start()
		tick(2)
		assert.Equal(t, map[string]int{"a": 0, "b": 0, "c": 100, "s": 0}, h.weights())
		assert.GreaterOrEqual(t, h.ctl.Sessions(), 2)
		require.NoError(t, h.stop())
	})
}

func TestController_NeverRunStartsNothing(t *testing.T) {
	_, err := vpp.NewController(validConfig(), vpp.NewMemDataplane().Dial)
	require.NoError(t, err)
	// goleak in TestMain checks that nothing was started.
}

func TestController_RefusesAnInvalidConfigAndANilDial(t *testing.T) {
	_, err := vpp.NewController(vpp.Config{}, vpp.NewMemDataplane().Dial)
	assert.ErrorIs(t, err, vpp.ErrInvalidConfig)
	_, err = vpp.NewController(validConfig(), nil)
	assert.Error(t, err)
}

func TestController_RunTwiceIsAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		assert.ErrorIs(t, h.ctl.Run(t.Context()), vpp.ErrRunning)
		require.NoError(t, h.stop())
	})
}
