package voltha

import (
	"fmt"
	"maps"
	"slices"
)

// slots gives each member of a backend a connection slot, keeping the slots prev gave them
// (see [Assign]).
func slots(cluster, backend string, members []Pod, prev Table) []Connection {
	old := map[string]Connection{} // slot name -> its previous connection
	for _, c := range prev.Connections {
		if c.Cluster == cluster && c.Backend == backend {
			old[c.Name] = c
		}
	}
	taken := map[string]bool{}
	slot := make([]string, len(members))
	for i, m := range members { // a core keeps its own slot
		for name, c := range old {
			if c.Pod == m.Name && !taken[name] {
				slot[i], taken[name] = name, true
			}
		}
	}
	nodes := vacated(old, members)
	for i, m := range members { // a new core takes a slot vacated on its node
		for _, name := range slices.Sorted(maps.Keys(nodes)) {
			if slot[i] == "" && !taken[name] && nodes[name] == m.Node && m.Node != "" {
				slot[i], taken[name] = name, true
			}
		}
	}
	conns := make([]Connection, len(members))
	for i, m := range members { // else the first free slot
		for n := 1; slot[i] == ""; n++ {
			if name := fmt.Sprintf("%s.%d", backend, n); !taken[name] {
				slot[i], taken[name] = name, true
			}
		}
		conns[i] = Connection{Cluster: cluster, Backend: backend, Name: slot[i], Addr: m.Addr, Pod: m.Name, Node: m.Node}
	}
	return conns
}

// vacated returns the slots of old whose core is not among members, with the node it ran on.
func vacated(old map[string]Connection, members []Pod) map[string]string {
	present := map[string]bool{}
	for _, m := range members {
		present[m.Name] = true
	}
	nodes := map[string]string{}
	for name, c := range old {
		if !present[c.Pod] {
			nodes[name] = c.Node
		}
	}
	return nodes
}
