package voltha

import (
	"maps"
	"slices"
	"strings"
)

// Assign computes the router's table from the cores and the devices each holds (by core
// name), given the table it computed before. It is pure: the same input gives the same table.
// The rules:
//
//   - Pods without an address do not run and take no slot.
//   - The origin's gates: nothing is configured until l.RWCores read-write cores and l.ROCores
//     read-only cores run (a count of 0 waits for nothing). Then, while the number of running
//     read-write cores is not l.RWCores, the connections stay as prev has them; while it is,
//     but the number of read-only cores is not l.ROCores, the read-only connections do. A
//     core that restarts therefore changes nothing until it runs again.
//   - Read-write cores form groups by their [Pod.Group]; group g's backend is
//     l.Names.RWBackend(g) and its slots are connections 1 and 2 of that backend. A group has
//     at most two members: when more run (a rollout in progress), those holding the most
//     devices win, then the first by name; the others are returned as unplaced, with the
//     cores whose group has no backend in the router (see [Layout]).
//   - Each read-only core has a backend of its own: slot n is l.Names.ROBackend(n).
//   - Slots are sticky, which is the origin's address diff: a core keeps the slot prev gave it,
//     so a core that comes back with a new address re-points its own slot only. A new core
//     takes a slot that prev gave a core now gone from the same node (the origin's rule for a
//     pod replaced under a new name), else the first slot no running core holds. A slot whose
//     core is gone and that no core takes keeps its last address, as the origin left it: a
//     table never loses a connection.
//   - Affinities are sticky too: a device keeps the backend prev gave it, since the router
//     neither moves nor removes an affinity once set. A new device gets an affinity to the
//     backend of the group whose members hold it: held in two groups, to the group in which
//     more members hold it, then to the first backend by name. Only backends with a
//     connection in the table get affinities.
func (l Layout) Assign(pods []Pod, devices map[string][]string, prev Table) (Table, []Pod) {
	groups, ro, unplaced := l.groupPods(pods, devices)
	rwOpen := l.RWCores == 0 || count(pods, RoleRW) == l.RWCores
	roOpen := rwOpen && (l.ROCores == 0 || count(pods, RoleRO) == l.ROCores)
	var t Table
	if len(prev.Connections) == 0 && !roOpen {
		return t, unplaced // nothing configured yet
	}
	t.Connections = append(t.Connections, l.rwConnections(rwOpen, groups, prev)...)
	roConns, extra := l.roConnections(roOpen, ro, prev)
	t.Connections = append(t.Connections, roConns...)
	t.Affinities = l.place(groups, devices, prev, t.Connections)
	t.sort()
	unplaced = append(unplaced, extra...)
	slices.SortFunc(unplaced, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) })
	return t, unplaced
}

// rwConnections returns the read-write connections: prev's while the gate is closed, else
// each group's slots, and the slots of backends whose group is gone, as prev has them.
func (l Layout) rwConnections(open bool, groups map[string][]Pod, prev Table) []Connection {
	old := prev.in(l.Names.RWCluster)
	if !open {
		return old
	}
	var conns []Connection
	present := map[string]bool{}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		backend := l.Names.RWBackend(g)
		present[backend] = true
		name := func(s int) (string, string) { return backend, l.Names.RWConnection(backend, s) }
		given, _ := slots(l.Names.RWCluster, groups[g], keep(old, backend), 2, name)
		conns = append(conns, given...)
	}
	for _, c := range old {
		if !present[c.Backend] {
			conns = append(conns, c)
		}
	}
	return conns
}

// roConnections returns the read-only connections, prev's while the gate is closed, and the
// read-only cores left without a slot.
func (l Layout) roConnections(open bool, ro []Pod, prev Table) ([]Connection, []Pod) {
	old := prev.in(l.Names.ROCluster)
	if !open {
		return old, nil
	}
	return slots(l.Names.ROCluster, ro, old, l.ROCores, l.Names.ROBackend)
}

// in returns the connections of t in cluster.
func (t Table) in(cluster string) []Connection {
	return keepFunc(t.Connections, func(c Connection) bool { return c.Cluster == cluster })
}

// keep returns the connections of conns to backend.
func keep(conns []Connection, backend string) []Connection {
	return keepFunc(conns, func(c Connection) bool { return c.Backend == backend })
}

func keepFunc(conns []Connection, ok func(Connection) bool) []Connection {
	var out []Connection
	for _, c := range conns {
		if ok(c) {
			out = append(out, c)
		}
	}
	return out
}

// count returns how many of pods run in role.
func count(pods []Pod, role Role) int {
	n := 0
	for _, p := range pods {
		if p.Role == role && p.Addr != "" {
			n++
		}
	}
	return n
}
