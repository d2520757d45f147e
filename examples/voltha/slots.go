package voltha

// slots gives each member a slot (see [Layout.Assign]) among slots 1 to max (no bound if 0),
// named by name, keeping those old (the slots of the same space in the previous table) gave
// them. It returns a connection for every slot given now and for every slot of old that no
// member took, as old has it; and the members left without a slot.
func slots(cluster string, members []Pod, old []Connection, max int, name func(int) (backend, conn string)) ([]Connection, []Pod) {
	backend := map[string]string{} // slot name -> its backend
	for _, c := range old {
		backend[c.Name] = c.Backend
	}
	slot, taken := kept(members, old)
	var conns []Connection
	var unplaced []Pod
	for i, m := range members { // else the first slot no member holds
		for n := 1; slot[i] == "" && (max == 0 || n <= max); n++ {
			if b, c := name(n); !taken[c] {
				slot[i], taken[c], backend[c] = c, true, b
			}
		}
		if slot[i] == "" {
			unplaced = append(unplaced, m)
			continue
		}
		conns = append(conns, Connection{Cluster: cluster, Backend: backend[slot[i]], Name: slot[i], Addr: m.Addr, Pod: m.Name, Node: m.Node})
	}
	for _, c := range old { // a slot no core took keeps its last address
		if !taken[c.Name] {
			conns = append(conns, c)
		}
	}
	return conns, unplaced
}

// kept returns the slot of old each member keeps ("" for none), and the slots so taken: its
// own, else one vacated on its node by a core that is not among members.
func kept(members []Pod, old []Connection) ([]string, map[string]bool) {
	present := map[string]bool{}
	for _, m := range members {
		present[m.Name] = true
	}
	taken := map[string]bool{}
	slot := make([]string, len(members))
	for i, m := range members { // a core keeps its own slot
		for _, c := range old {
			if c.Pod == m.Name && !taken[c.Name] && slot[i] == "" {
				slot[i], taken[c.Name] = c.Name, true
			}
		}
	}
	for i, m := range members { // a new core takes a slot vacated on its node
		for _, c := range old {
			if slot[i] == "" && !taken[c.Name] && !present[c.Pod] && m.Node != "" && c.Node == m.Node {
				slot[i], taken[c.Name] = c.Name, true
			}
		}
	}
	return slot, taken
}
