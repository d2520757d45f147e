package voltha

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// place returns the affinities of the table whose connections are conns (see
// [Layout.Assign]): prev's, to backends that have a connection, and one for every device
// that prev did not route, to the backend of the group that holds it best.
func (l Layout) place(groups map[string][]Pod, devices map[string][]string, prev Table, conns []Connection) []Affinity {
	routed := map[string]bool{} // backends with a connection
	for _, c := range conns {
		if c.Cluster == l.Names.RWCluster {
			routed[c.Backend] = true
		}
	}
	var affs []Affinity
	placed := map[string]bool{}
	for _, a := range prev.Affinities {
		if routed[a.Backend] {
			affs = append(affs, a)
			placed[a.Device] = true
		}
	}
	held := map[string][]holder{} // device -> the groups that hold it
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		backend := l.Names.RWBackend(g)
		if !routed[backend] {
			continue
		}
		for dev, n := range countDevices(groups[g], devices) {
			held[dev] = append(held[dev], holder{backend: backend, members: n})
		}
	}
	for dev, hs := range held {
		if !placed[dev] {
			affs = append(affs, Affinity{Device: dev, Backend: bestHolder(hs)})
		}
	}
	return affs
}

// holder is a group holding a device in how many of its members.
type holder struct {
	backend string
	members int
}

// bestHolder picks the group a device held in several goes to.
func bestHolder(hs []holder) string {
	best := slices.MinFunc(hs, func(a, b holder) int {
		return cmp.Or(cmp.Compare(b.members, a.members), strings.Compare(a.backend, b.backend))
	})
	return best.backend
}

// countDevices counts, per device, how many of members hold it.
func countDevices(members []Pod, devices map[string][]string) map[string]int {
	n := map[string]int{}
	for _, m := range members {
		for _, d := range slices.Compact(slices.Sorted(slices.Values(devices[m.Name]))) {
			n[d]++
		}
	}
	return n
}
