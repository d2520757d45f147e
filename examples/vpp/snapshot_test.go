package vpp_test

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// TestChecker_SnapshotIsOneMoment races snapshots against transitions made in a fixed order:
// a is disabled before b and enabled after it, so at every moment "b disabled" implies "a
// disabled". A snapshot that read a before a transition and b after another would break it.
func TestChecker_SnapshotIsOneMoment(t *testing.T) {
	c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1), checked("b", 1, 1)}) // never run: no probes
	const rounds = 10000
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for range rounds {
			_ = c.Disable("a")
			_ = c.Disable("b")
			_ = c.Enable("b")
			_ = c.Enable("a")
		}
	})
	broken, taken := 0, 0
	for running := true; running; taken++ {
		select {
		case <-done:
			running = false
		default:
		}
		s := c.Snapshot("a", "b")
		if s.State("b") == vpp.StateDisabled && s.State("a") != vpp.StateDisabled {
			broken++
		}
	}
	wg.Wait()
	assert.Zero(t, broken, "snapshots with b disabled and a not, of %d taken", taken)
}

func TestChecker_SnapshotHoldsTheNamedBackendsOrEveryOne(t *testing.T) {
	b := checked("b", 1, 1)
	b.Address = netip.MustParseAddr("10.0.0.2")
	b.Disabled = true
	c := vpp.NewChecker([]vpp.Backend{checked("a", 1, 1), b})
	s := c.Snapshot("b", "nope")
	require.Len(t, s, 1, "names the checker does not know are left out")
	assert.Equal(t, vpp.StateDisabled, s["b"].State)
	assert.Equal(t, b.Address, s["b"].Address)
	st, err := c.Status("b")
	require.NoError(t, err)
	assert.Equal(t, st.Since, s["b"].Since)
	assert.Len(t, c.Snapshot(), 2, "no name: every backend")
	assert.Equal(t, vpp.StateUnknown, s.State("a"), "a backend the snapshot does not hold is unknown")
}
