package vpp_test

import (
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// These tests count every call the controller makes on the dataplane (Ping left out): it dumps
// when a session starts and after a failed call, and otherwise diffs against what it pushed.

func TestController_AnUnchangedSyncMakesNoCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		before, syncs := h.calls.counts(), h.syncCount()
		require.NoError(t, h.ctl.Checker().Pause("c")) // c is on standby at 0: paused, it stays at 0
		synctest.Wait()
		require.Equal(t, syncs+1, h.syncCount(), "the transition was synced")
		assert.Empty(t, h.calls.since(before), "no dump, no call: nothing changed")
		require.NoError(t, h.stop())
	})
}

func TestController_AOneBackendChangeMakesOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		before := h.calls.counts()
		require.NoError(t, h.ctl.Checker().Disable("a"))
		synctest.Wait()
		assert.Equal(t, map[string]int{"set_weight": 1}, h.calls.since(before), "one call and no dump")
		assert.Equal(t, 0, h.weights()["a"])
		require.NoError(t, h.stop())
	})
}

func TestController_DumpsWhenASessionStartsAndAfterAFailedCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		assert.Equal(t, map[string]int{"set_conf": 1, "dump": 1, "add_vip": 1, "add_as": 4}, h.calls.counts(),
			"the first session dumps once and pushes everything")

		before := h.calls.counts()
		h.mem.FailNext(1, errors.New("VNET_API_ERROR_SYSCALL_ERROR_1"))
		require.NoError(t, h.ctl.Checker().Disable("a"))
		time.Sleep(time.Second) // the retry's backoff
		synctest.Wait()
		assert.Equal(t, map[string]int{"set_weight": 2, "dump": 1}, h.calls.since(before),
			"the failed call, then a dump before the retry")

		before = h.calls.counts()
		h.mem.Restart()
		time.Sleep(time.Second) // pings fail, the session ends, the next one dials
		synctest.Wait()
		require.Equal(t, 2, h.ctl.Sessions())
		assert.Equal(t, map[string]int{"set_conf": 1, "dump": 1, "add_vip": 1, "add_as": 4}, h.calls.since(before),
			"the new session dumps once and pushes everything again")
		require.NoError(t, h.stop())
	})
}

func TestController_ADriftRoundDumpsOnceForEveryFrontend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness()
		tls := h.cfg.Frontends[0]
		tls.Name, tls.Port = "web-tls", 443
		h.cfg.Frontends = append(h.cfg.Frontends, tls)
		h.start(t, h.prober)
		before, syncs := h.calls.counts(), h.syncCount()
		time.Sleep(drift + drift/10)
		synctest.Wait()
		assert.Equal(t, syncs+2, h.syncCount(), "both frontends were synced")
		assert.Equal(t, map[string]int{"dump": 1}, h.calls.since(before), "one dump serves the round")
		require.NoError(t, h.stop())
	})
}

func TestController_AVIPFoundWithOtherParametersIsCreatedAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness()
		key := h.cfg.Frontends[0].Key()
		prev, err := h.mem.Dial(t.Context()) // a VIP left with a table length the config no longer has
		require.NoError(t, err)
		require.NoError(t, prev.AddVIP(t.Context(), key, vpp.VIPParams{NewFlowsTableLength: 64}))
		require.NoError(t, prev.AddAS(t.Context(), key, netip.MustParseAddr("10.0.0.1"), 100))
		h.cfg.Frontends[0].NewFlowsTableLength = 4096
		h.start(t, h.prober)
		e := vpp.Lookup(h.mem.Snapshot(), key)
		require.NotNil(t, e)
		assert.Equal(t, vpp.VIPParams{Encap: vpp.EncapGRE4, NewFlowsTableLength: 4096}, e.Params)
		assert.Equal(t, map[string]int{"a": 100, "b": 50, "c": 0, "s": 0}, h.weights())
		var ops []string
		for _, c := range h.mem.Calls()[2:] { // after the two calls above
			ops = append(ops, c.Op)
		}
		// The VIP is deleted and created again with its servers; a health-check round that
		// lands after the first sync (goroutine order under synctest is not fixed) may add
		// set_weight calls after that, and nothing else.
		require.GreaterOrEqual(t, len(ops), 8)
		assert.Equal(t, []string{"set_conf", "del_as", "del_vip", "add_vip", "add_as", "add_as", "add_as", "add_as"}, ops[:8])
		for _, op := range ops[8:] {
			assert.Equal(t, "set_weight", op, "after the re-creation, only weight changes")
		}
		require.NoError(t, h.stop())
	})
}

func TestController_AFrontendsEncapAndTableLengthReachTheDataplane(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness()
		h.cfg.Frontends[0].Encap = vpp.EncapL3DSR
		h.cfg.Frontends[0].DSCP = 46
		h.cfg.Frontends[0].NewFlowsTableLength = 65536 >> 1
		h.start(t, h.prober)
		e := vpp.Lookup(h.mem.Snapshot(), h.cfg.Frontends[0].Key())
		require.NotNil(t, e)
		assert.Equal(t, vpp.VIPParams{Encap: vpp.EncapL3DSR, DSCP: 46, NewFlowsTableLength: 32768}, e.Params)
		assert.Equal(t, vpp.Call{Op: "add_vip", VIP: e.VIP, Params: e.Params}, h.mem.Calls()[1])
		require.NoError(t, h.stop())
	})
}
