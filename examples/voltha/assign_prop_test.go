package voltha

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomPods draws a cluster: rw-cores of groups 1 to 3 (three names each, so groups can
// overflow), ro-cores, some not running, on three nodes, holding devices olt-0 to olt-5.
func randomPods(r *rand.Rand) ([]Pod, map[string][]string) {
	var pods []Pod
	devices := map[string][]string{}
	for g := 1; g <= 3; g++ {
		for i := range 3 {
			if r.IntN(3) > 0 {
				pods = append(pods, rw(fmt.Sprintf("rw-core%d-%d", g, i), addr(r), fmt.Sprint("n", r.IntN(3))))
			}
		}
	}
	for _, name := range []string{"ro-core-a", "ro-core-b", "ro-core-c"} {
		if r.IntN(3) > 0 {
			pods = append(pods, ro(name, addr(r), fmt.Sprint("n", r.IntN(3))))
		}
	}
	for _, p := range pods {
		for range r.IntN(3) {
			devices[p.Name] = append(devices[p.Name], fmt.Sprint("olt-", r.IntN(6)))
		}
	}
	return pods, devices
}

// addr is an address, or none (a core not running) one time in four.
func addr(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	return fmt.Sprintf("10.0.0.%d:50057", r.IntN(250)+1)
}

func TestATableNeverLosesAConnectionOrAnAffinityItHadAndSlotsAreNeverShared(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, layout := range []Layout{open, {Names: n, RWCores: 4, ROCores: 2}, DefaultLayout} {
		var prev Table
		for step := range 1000 {
			pods, devices := randomPods(r)
			next, _ := layout.Assign(pods, devices, prev)
			again, _ := layout.Assign(pods, devices, prev)
			require.Equal(t, next, again, "Assign is pure")
			running := map[string]string{} // pod -> its address
			for _, p := range pods {
				running[p.Name] = p.Addr
			}
			conns := map[string]bool{}
			slotOf := map[string]string{} // running pod -> the slot pointed at it
			for _, c := range next.Connections {
				conns[connKey(c)] = true
				if c.Addr == "" || c.Addr != running[c.Pod] {
					continue // a slot kept with the address of a core gone
				}
				if other, ok := slotOf[c.Pod]; ok {
					require.Failf(t, "a core holds two slots", "step %d: %s holds %s and %s", step, c.Pod, other, c.Name)
				}
				slotOf[c.Pod] = c.Name
			}
			for _, c := range prev.Connections {
				require.True(t, conns[connKey(c)], "step %d: connection %s/%s lost", step, c.Backend, c.Name)
			}
			affs := map[string]string{}
			for _, a := range next.Affinities {
				affs[a.Device] = a.Backend
			}
			for _, a := range prev.Affinities {
				require.Equal(t, a.Backend, affs[a.Device], "step %d: the affinity of %s lost or moved", step, a.Device)
			}
			prev = next
		}
	}
}
