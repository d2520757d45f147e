package vpp_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// row is the part of a BackendView a test compares: pool, configured, effective and dataplane
// weight (-1 for none), and state.
type row struct {
	pool                  string
	configured, effective uint8
	dataplane             int
	state                 vpp.State
}

func rows(v vpp.FrontendView) map[string]row {
	out := map[string]row{}
	for _, b := range v.Backends {
		held := -1
		if b.Dataplane != nil {
			held = int(*b.Dataplane)
		}
		out[b.Backend] = row{b.Pool, b.Configured, b.Effective, held, b.State}
	}
	return out
}

func TestController_ViewShowsEachBackendsPoolWeightsStateAndSince(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		before := h.calls.counts()
		views, err := h.ctl.View("web")
		require.NoError(t, err)
		assert.Empty(t, h.calls.since(before), "a view makes no dataplane call")
		require.Len(t, views, 1)
		v := views[0]
		assert.Equal(t, "primary", v.ActivePool)
		assert.True(t, v.DataplaneKnown)
		assert.Equal(t, uint32(vpp.DefaultNewFlowsTableLength), v.NewFlowsTableLength)
		assert.Equal(t, map[string]row{
			"a": {"primary", 100, 100, 100, vpp.StateUp}, "b": {"primary", 50, 50, 50, vpp.StateUp},
			"c": {"secondary", 100, 0, 0, vpp.StateUp}, "s": {"sorry", 10, 0, 0, vpp.StateUp},
		}, rows(v))

		time.Sleep(time.Minute)
		disabledAt := time.Now()
		require.NoError(t, h.ctl.Checker().Disable("a"))
		synctest.Wait()
		views, err = h.ctl.View("")
		require.NoError(t, err, "no name: every frontend")
		require.Len(t, views, 1)
		assert.Equal(t, row{"primary", 100, 0, 0, vpp.StateDisabled}, rows(views[0])["a"])
		for _, b := range views[0].Backends {
			if b.Backend == "a" {
				assert.Equal(t, disabledAt, b.Since, "since the transition")
			} else {
				assert.True(t, b.Since.Before(disabledAt), "%s: since its first check", b.Backend)
			}
		}
		require.NoError(t, h.stop())
	})
}

func TestController_ViewKnowsNothingOfTheDataplaneBetweenSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startController(t)
		h.mem.Stop()
		time.Sleep(time.Second) // the pings fail and the session ends
		synctest.Wait()
		views, err := h.ctl.View("web")
		require.NoError(t, err)
		assert.False(t, views[0].DataplaneKnown)
		assert.Equal(t, row{"primary", 100, 100, -1, vpp.StateUp}, rows(views[0])["a"],
			"the effective weight is still known, the dataplane's is not")
		h.mem.Start()
		time.Sleep(time.Second)
		synctest.Wait()
		views, err = h.ctl.View("web")
		require.NoError(t, err)
		assert.True(t, views[0].DataplaneKnown, "the new session dumped")
		assert.Equal(t, 100, rows(views[0])["a"].dataplane)
		require.NoError(t, h.stop())
	})
}

func TestController_ViewOfAnUnknownFrontendFails(t *testing.T) {
	ctl, err := vpp.New(validConfig(), vpp.NewMemDataplane().Dial)
	require.NoError(t, err)
	_, err = ctl.View("nope")
	assert.ErrorIs(t, err, vpp.ErrUnknownFrontend)
	views, err := ctl.View("web")
	require.NoError(t, err, "a controller that never ran has a view")
	assert.False(t, views[0].DataplaneKnown)
	assert.Equal(t, vpp.StateUnknown, views[0].Backends[0].State)
}
