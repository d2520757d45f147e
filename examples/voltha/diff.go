package voltha

// Changes are the calls that turn one router table into another: connections to point at
// their address and affinities to set. Push the connections first, so that an affinity never
// names a backend the router has no connection for.
type Changes struct {
	Connections []Connection
	Affinities  []Affinity
}

// Len returns the number of calls.
func (c Changes) Len() int { return len(c.Connections) + len(c.Affinities) }

// Diff returns the calls that turn the router's table from into to: a connection that is new
// or whose address changed (a core that came back with a new IP: its slot is re-pointed),
// and an affinity that is new or names another backend. What from has and to lacks is left as
// it is, as the origin left it (the router has no call that removes an affinity, and a table
// of [Layout.Assign] never lacks what its prev had). Entries that did not change are left out,
// so Diff(t, t) is empty, and Diff(Table{}, t) sets everything. Both tables must be sorted as
// [Layout.Assign] returns them; so is the result.
func Diff(from, to Table) Changes {
	var c Changes
	conns := map[string]string{}
	for _, x := range from.Connections {
		conns[connKey(x)] = x.Addr
	}
	for _, x := range to.Connections {
		if addr, ok := conns[connKey(x)]; !ok || addr != x.Addr {
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
	}
	return c
}
