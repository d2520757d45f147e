package voltha

// Changes are the calls that turn one router table into another: connections to set (an
// empty Addr removes one) and affinities to set (an empty Backend removes one). Push the
// connections first, so that an affinity never names a backend the router has no connection
// for.
type Changes struct {
	Connections []Connection
	Affinities  []Affinity
}

// Len returns the number of calls.
func (c Changes) Len() int { return len(c.Connections) + len(c.Affinities) }

// Diff returns the changes that turn the router's table from into to: a connection that is new
// or whose address changed (a core that came back with a new IP: its slot is re-pointed),
// a connection that is gone (removed with an empty address), an affinity that is new or moved,
// an affinity that is gone (removed with an empty backend). Entries that did not change are
// left out, so Diff(t, t) is empty, and Diff(Table{}, t) sets everything. Both tables must be
// sorted as [Assign] returns them; so is the result.
func Diff(from, to Table) Changes {
	var c Changes
	conns := map[string]Connection{}
	for _, x := range from.Connections {
		conns[connKey(x)] = x
	}
	for _, x := range to.Connections {
		if old, ok := conns[connKey(x)]; !ok || old.Addr != x.Addr {
			c.Connections = append(c.Connections, x)
		}
		delete(conns, connKey(x))
	}
	for _, x := range from.Connections {
		if _, gone := conns[connKey(x)]; gone {
			x.Addr, x.Pod, x.Node = "", "", ""
			c.Connections = append(c.Connections, x)
		}
	}
	affs := map[string]string{}
	for _, a := range from.Affinities {
		affs[a.Device] = a.Backend
	}
	for _, a := range to.Affinities {
		if b, ok := affs[a.Device]; !ok || b != a.Backend {
			c.Affinities = append(c.Affinities, a)
		}
		delete(affs, a.Device)
	}
	for _, a := range from.Affinities {
		if _, gone := affs[a.Device]; gone {
			c.Affinities = append(c.Affinities, Affinity{Device: a.Device})
		}
	}
	t := Table(c)
	t.sort()
	return Changes(t)
}
