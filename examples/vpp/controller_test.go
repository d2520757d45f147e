package vpp_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

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
		require.NoError(t, side.AddVIP(ctx, foreign, gre4))
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
	_, err := vpp.New(validConfig(), vpp.NewMemDataplane().Dial)
	require.NoError(t, err)
	// goleak in TestMain checks that nothing was started.
}

func TestController_RefusesAnInvalidConfigAndANilDial(t *testing.T) {
	_, err := vpp.New(vpp.Config{}, vpp.NewMemDataplane().Dial)
	assert.ErrorIs(t, err, vpp.ErrInvalidConfig)
	_, err = vpp.New(validConfig(), nil)
	assert.Error(t, err)
}

func TestController_RunTwiceIsAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		assert.ErrorIs(t, h.ctl.Run(t.Context()), vpp.ErrRunning)
		require.NoError(t, h.stop())
	})
}

func TestController_RestartedControllerDoesNotDrainAServingDataplane(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness()
		ctx := context.Background()
		prev, err := h.mem.Dial(ctx) // what the previous controller programmed
		require.NoError(t, err)
		key := h.cfg.Frontends[0].Key()
		require.NoError(t, prev.AddVIP(ctx, key, h.cfg.Frontends[0].Params()))
		for _, as := range []struct {
			name string
			w    uint8
		}{{"a", 100}, {"b", 50}, {"c", 0}, {"s", 0}} {
			require.NoError(t, prev.AddAS(ctx, key, h.cfg.Backends[indexOf(h.cfg, as.name)].Address, as.w))
		}
		calls := lbCalls(h.mem.Calls())
		p := &gatedProber{release: make(chan struct{})}
		h.start(t, p)
		assert.Equal(t, calls, lbCalls(h.mem.Calls()), "no call while the first checks are out: unknown would mean weight 0")
		close(p.release)
		synctest.Wait()
		assert.Equal(t, calls, lbCalls(h.mem.Calls()), "the dataplane was already right")
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights())
		require.NoError(t, h.stop())
	})
}

func TestController_AFailedSyncIsRetriedWithBackoffUntilItSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		h.mem.FailNext(3, errors.New("VNET_API_ERROR_SYSCALL_ERROR_1"))
		h.prober.set("a", errRefused)
		tick(2) // a is down now; its sync fails three times, 10, 20 and 40 ms apart
		assert.Equal(t, 100, h.weights()["a"], "not yet")
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, map[string]int{"a": 0, "b": 50, "c": 0, "s": 0}, h.weights())
		assert.Equal(t, []string{"0 flush"}, h.weightCalls("a"), "one successful call after three refused ones")
		require.NoError(t, h.stop())
	})
}

func TestController_PausedBackendIsDrainedNotFlushedResumeBringsItBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		require.NoError(t, h.ctl.Checker().Pause("a"))
		tick(3)
		assert.Equal(t, map[string]int{"a": 0, "b": 50, "c": 0, "s": 0}, h.weights())
		require.NoError(t, h.ctl.Checker().Resume("a"))
		synctest.Wait()
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights())
		assert.Equal(t, []string{"0", "100"}, h.weightCalls("a"), "drained without a flush, then restored")
		require.NoError(t, h.stop())
	})
}
