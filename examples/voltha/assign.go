package voltha

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Assign computes the router's table from the running cores and the devices each holds
// (devices by core name). It is pure: the same input gives the same table. The rules:
//
//   - Pods without an address are not running yet and are left out.
//   - Read-write cores pair by name: pods whose names differ only in their last dash-separated
//     part ("rw-core1-0", "rw-core1-1") form a core group, and the group's backend is that
//     common prefix ("rw-core1"). A group has at most two members: when more pods share a
//     prefix (a rollout in progress), those holding the most devices win, then the first by
//     name; the others are returned as unplaced. New members take slots in name order.
//   - Devices are placed by the cores that hold them: each device gets an affinity to the
//     backend of the group whose members hold it. A device held in two groups (a core that
//     has not yet let go of it) goes to the group in which more members hold it, then to the
//     first backend by name.
//   - Read-only cores are the connections of the one backend [BackendRO] of [ClusterRO].
//   - Slots are sticky, which is the address diff of the origin: a core keeps the slot prev gave
//     it, so a core that comes back with a new address re-points its own slot only. A new core
//     takes a slot that prev gave a core now gone from the same node (the origin's rule for a
//     pod replaced under a new name), else the first free slot. Only prev is remembered: a
//     slot emptied by an earlier call is simply free.
func Assign(pods []Pod, devices map[string][]string, prev Table) (Table, []Pod) {
	var t Table
	groups, ro, unplaced := groupPods(pods, devices)
	held := map[string][]holder{} // device -> the groups that hold it
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		members := groups[key]
		t.Connections = append(t.Connections, slots(ClusterRW, key, members, prev)...)
		for dev, n := range countDevices(members, devices) {
			held[dev] = append(held[dev], holder{backend: key, members: n})
		}
	}
	if len(ro) > 0 {
		t.Connections = append(t.Connections, slots(ClusterRO, BackendRO, ro, prev)...)
	}
	for dev, hs := range held {
		t.Affinities = append(t.Affinities, Affinity{Device: dev, Backend: bestHolder(hs)})
	}
	t.sort()
	return t, unplaced
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

// groupPods splits running pods into read-write groups by pair name (at most two members
// each), read-only cores, and the pods left over.
func groupPods(pods []Pod, devices map[string][]string) (map[string][]Pod, []Pod, []Pod) {
	groups := map[string][]Pod{}
	var ro []Pod
	for _, p := range pods {
		switch {
		case p.Addr == "":
		case p.Role == RoleRW:
			groups[PairName(p.Name)] = append(groups[PairName(p.Name)], p)
		case p.Role == RoleRO:
			ro = append(ro, p)
		}
	}
	var unplaced []Pod
	for key, members := range groups {
		slices.SortFunc(members, func(a, b Pod) int {
			return cmp.Or(cmp.Compare(len(devices[b.Name]), len(devices[a.Name])), strings.Compare(a.Name, b.Name))
		})
		if len(members) > 2 {
			unplaced = append(unplaced, members[2:]...)
			members = members[:2]
		}
		slices.SortFunc(members, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) }) // slots by name
		groups[key] = members
	}
	slices.SortFunc(ro, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(unplaced, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) })
	return groups, ro, unplaced
}

// PairName is the name of the core group a read-write core belongs to: its name without the
// last dash-separated part ("rw-core1-0" -> "rw-core1"), or the whole name if it has no dash.
func PairName(pod string) string {
	if i := strings.LastIndexByte(pod, '-'); i > 0 {
		return pod[:i]
	}
	return pod
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
