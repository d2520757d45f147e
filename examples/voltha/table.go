package voltha

import (
	"fmt"
	"slices"
	"strings"
)

// Clusters of the affinity router: read-write cores, whose devices have affinities, and
// read-only cores, which serve any request.
const (
	ClusterRW = "vcore"
	ClusterRO = "ro_vcore"
)

// BackendRO is the one backend of the read-only cluster; every ro-core is a connection of it.
const BackendRO = "ro-core"

// Role is what a core pod does.
type Role int

// The roles of core pods.
const (
	RoleRW Role = iota + 1 // a read-write core: paired with another, holds devices
	RoleRO                 // a read-only core
)

// Pod is a running core as the daemon sees it: its name, the address its API listens on and
// the node it runs on. A Pod is a plain value.
type Pod struct {
	Name string
	Addr string // host:port
	Node string
	Role Role
}

// Connection is one slot of a backend, pointed at a core's address. Pod and Node name the core
// and where it ran, so that a slot stays with its core (or its node) across recomputations;
// the router does not see them.
type Connection struct {
	Cluster string
	Backend string
	Name    string // the slot: "<backend>.<n>"
	Addr    string
	Pod     string
	Node    string
}

// Affinity routes a device's requests to a backend of [ClusterRW].
type Affinity struct {
	Device  string
	Backend string
}

// Table is the router's whole configuration: connections sorted by cluster, backend and name,
// affinities by device. The zero Table is empty and ready to use.
type Table struct {
	Connections []Connection
	Affinities  []Affinity
}

// String prints the table one entry a line, in its sorted order, without the pod names (as
// the router would print it).
func (t Table) String() string {
	var b strings.Builder
	for _, c := range t.Connections {
		fmt.Fprintf(&b, "conn %s/%s/%s -> %s\n", c.Cluster, c.Backend, c.Name, c.Addr)
	}
	for _, a := range t.Affinities {
		fmt.Fprintf(&b, "affinity %s -> %s\n", a.Device, a.Backend)
	}
	return b.String()
}

// RouterView returns t as the router holds it: the same entries, pod names cleared, sorted.
// Compare it with what the router reports (GetConfig).
func (t Table) RouterView() Table {
	v := Table{Connections: slices.Clone(t.Connections), Affinities: slices.Clone(t.Affinities)}
	for i := range v.Connections {
		v.Connections[i].Pod, v.Connections[i].Node = "", ""
	}
	v.sort()
	return v
}

// sort puts the entries in their documented order.
func (t *Table) sort() {
	slices.SortFunc(t.Connections, func(a, b Connection) int {
		return strings.Compare(connKey(a), connKey(b))
	})
	slices.SortFunc(t.Affinities, func(a, b Affinity) int { return strings.Compare(a.Device, b.Device) })
}

// connKey is a connection's identity in the router: cluster, backend and slot.
func connKey(c Connection) string { return c.Cluster + "\x00" + c.Backend + "\x00" + c.Name }
