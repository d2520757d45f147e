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

var errRefused = errors.New("connection refused")

const interval = time.Second

func checked(name string, rise, fall int) vpp.Backend {
	return vpp.Backend{Name: name, Address: netip.MustParseAddr("10.0.0.1"), Check: vpp.HealthCheck{
		Type: vpp.CheckHTTP, Port: 80, Interval: interval, Timeout: interval / 2, Rise: rise, Fall: fall}}
}

// tick lets one check interval pass on the fake clock and every goroutine settle.
func tick(n int) {
	time.Sleep(time.Duration(n) * interval)
	synctest.Wait()
}

func TestChecker_UnknownIsDecidedByTheFirstCheckAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		p.set("b", errRefused)
		c := vpp.NewChecker([]vpp.Backend{checked("a", 3, 3), checked("b", 3, 3)}, vpp.WithProber(p))
		assert.Equal(t, vpp.StateUnknown, c.State("a"), "before Run every backend is unknown")
		stop := run(t, c.Run)
		synctest.Wait() // no time has passed: only the checks at start
		assert.Equal(t, vpp.StateUp, c.State("a"), "one pass decides unknown, whatever rise is")
		assert.Equal(t, vpp.StateDown, c.State("b"), "one failure decides unknown, whatever fall is")
		require.NoError(t, stop())
	})
}

func TestChecker_StaticBackendIsUpAtTheFirstCheckWithoutProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		static := vpp.Backend{Name: "s", Address: netip.MustParseAddr("10.0.0.9")}
		c := vpp.NewChecker([]vpp.Backend{static}, vpp.WithProber(p))
		stop := run(t, c.Run)
		synctest.Wait()
		assert.Equal(t, vpp.StateUp, c.State("s"), "up at once, not after an interval")
		assert.Zero(t, p.count("s"), "a static backend is never probed")
		require.NoError(t, stop())
	})
}

func TestChecker_RiseAndFallCountResultsInARow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		c := vpp.NewChecker([]vpp.Backend{checked("a", 3, 2)}, vpp.WithProber(p))
		stop := run(t, c.Run)
		synctest.Wait()
		require.Equal(t, vpp.StateUp, c.State("a"))
		tests := []struct {
			name string
			fail bool
			want vpp.State
		}{
			{"first failure is forgiven", true, vpp.StateUp},
			{"a pass resets the failures", false, vpp.StateUp},
			{"failure 1 of 2", true, vpp.StateUp},
			{"failure 2 of 2 brings it down", true, vpp.StateDown},
			{"pass 1 of 3", false, vpp.StateDown},
			{"pass 2 of 3", false, vpp.StateDown},
			{"a failure resets the passes", true, vpp.StateDown},
			{"pass 1 of 3 again", false, vpp.StateDown},
			{"pass 2 of 3 again", false, vpp.StateDown},
			{"pass 3 of 3 brings it up", false, vpp.StateUp},
		}
		for _, tt := range tests {
			if tt.fail {
				p.set("a", errRefused)
			} else {
				p.set("a", nil)
			}
			tick(1)
			assert.Equal(t, tt.want, c.State("a"), tt.name)
		}
		require.NoError(t, stop())
	})
}

func TestChecker_EveryTransitionIsOneEventWithFromAndTo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		var evs events
		c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1)}, vpp.WithProber(p), vpp.OnTransition(evs.record))
		stop := run(t, c.Run)
		synctest.Wait()
		p.set("a", errRefused)
		tick(3) // three failures, one transition
		p.set("a", nil)
		tick(2)
		require.NoError(t, c.Pause("a"))
		require.NoError(t, c.Pause("a"), "pausing a paused backend does nothing")
		require.NoError(t, c.Resume("a"))
		synctest.Wait()
		assert.Equal(t, []string{"unknown->up", "up->down", "down->up", "up->paused", "paused->unknown", "unknown->up"}, evs.of("a"))
		st, err := c.Status("a")
		require.NoError(t, err)
		require.Len(t, st.History, 6)
		assert.Equal(t, "check passed", st.History[0].Reason)
		assert.Equal(t, errRefused.Error(), st.History[1].Reason, "a down event says why")
		require.NoError(t, stop())
	})
}

func TestChecker_EnableAfterDisableKeepsHistoryAndGoesThroughUnknown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		var evs events
		c := vpp.NewChecker([]vpp.Backend{checked("a", 2, 2)}, vpp.WithProber(p), vpp.OnTransition(evs.record))
		stop := run(t, c.Run)
		synctest.Wait()
		require.NoError(t, c.Disable("a"))
		synctest.Wait()
		probes := p.count("a")
		tick(5)
		assert.Equal(t, probes, p.count("a"), "a disabled backend is not probed")
		assert.Equal(t, vpp.StateDisabled, c.State("a"))
		require.NoError(t, c.Enable("a"))
		assert.Equal(t, vpp.StateUnknown, c.State("a"), "enable goes to unknown first")
		synctest.Wait() // probed at once, not after an interval
		assert.Equal(t, vpp.StateUp, c.State("a"))
		require.NoError(t, c.Enable("a"), "enabling an enabled backend does nothing")
		assert.Equal(t, []string{"unknown->up", "up->disabled", "disabled->unknown", "unknown->up"}, evs.of("a"))
		st, err := c.Status("a")
		require.NoError(t, err)
		assert.Equal(t, 4, st.Transitions, "the history from before the disable is kept")
		assert.Len(t, st.History, 4)
		require.NoError(t, stop())
	})
}

func TestChecker_ConfiguredDisabledStartsDisabledAndIsNotProbed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newFakeProber()
		b := checked("a", 1, 1)
		b.Disabled = true
		c := vpp.NewChecker([]vpp.Backend{b}, vpp.WithProber(p))
		stop := run(t, c.Run)
		tick(3)
		assert.Equal(t, vpp.StateDisabled, c.State("a"))
		assert.Zero(t, p.count("a"))
		assert.ErrorIs(t, c.Pause("a"), vpp.ErrIsDisabled)
		assert.ErrorIs(t, c.Resume("a"), vpp.ErrIsDisabled)
		require.NoError(t, stop())
	})
}

func TestChecker_OperatorCallsOnAnUnknownBackendFail(t *testing.T) {
	c := vpp.NewChecker(nil)
	for _, op := range []func(string) error{c.Disable, c.Enable, c.Pause, c.Resume} {
		assert.ErrorIs(t, op("nope"), vpp.ErrUnknownBackend)
	}
	_, err := c.Status("nope")
	assert.ErrorIs(t, err, vpp.ErrUnknownBackend)
	assert.Equal(t, vpp.StateUnknown, c.State("nope"))
}

func TestChecker_NeverRunStartsNothingAndOperatorCallsWork(t *testing.T) {
	c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1)})
	require.NoError(t, c.Disable("a"))
	require.NoError(t, c.Enable("a"))
	assert.Equal(t, vpp.StateUnknown, c.State("a"))
	// goleak in TestMain checks that nothing was started.
}

func TestChecker_RunTwiceIsAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1)}, vpp.WithProber(newFakeProber()))
		stop := run(t, c.Run)
		synctest.Wait()
		assert.ErrorIs(t, c.Run(t.Context()), vpp.ErrRunning)
		require.NoError(t, stop())
	})
}

func TestChecker_ACheckBegunBeforeDisableAndEnableDoesNotDecide(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := checked("a", 1, 1)
		b.Check.Timeout = time.Hour // the held check does not time out
		p := &gatedProber{release: make(chan struct{}), err: errRefused}
		c := vpp.NewChecker([]vpp.Backend{b}, vpp.WithProber(p))
		stop := run(t, c.Run)
		synctest.Wait() // the first check is in flight, held
		require.NoError(t, c.Disable("a"))
		require.NoError(t, c.Enable("a"))
		p.err = nil // only read after release
		close(p.release)
		synctest.Wait()
		st, err := c.Status("a")
		require.NoError(t, err)
		assert.Equal(t, vpp.StateUp, st.State, "the held check's failure was ignored; the next check decided")
		require.NoError(t, stop())
	})
}

func TestChecker_FirstRoundEndsWhenEveryBackendIsDecided(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &gatedProber{release: make(chan struct{})}
		disabled := checked("off", 1, 1)
		disabled.Disabled = true
		c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1), checked("b", 1, 1), disabled}, vpp.WithProber(p))
		stop := run(t, c.Run)
		synctest.Wait()
		require.NoError(t, c.Pause("b")) // decided by the operator
		select {
		case <-c.FirstRound():
			t.Fatal("the first round ended while a's first check is held")
		default:
		}
		close(p.release)
		synctest.Wait()
		select {
		case <-c.FirstRound():
		default:
			t.Fatal("the first round did not end after a's first check")
		}
		require.NoError(t, stop())
	})
}
