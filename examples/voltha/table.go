package voltha

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a core pod does.
type Role int

// The roles of core pods.
const (
	RoleRW Role = iota + 1 // a read-write core: one of a group of two, holds devices
	RoleRO                 // a read-only core
)

// Pod is a core as the daemon sees it: its name, the address its API listens on (empty while
// it does not run), the node it runs on, its role and, for a read-write core, its group (see
// [Classifier]). A Pod is a plain value.
type Pod struct {
	Name  string
	Addr  string // IP:port
	Node  string
	Role  Role
	Group string
}

// Connection is one slot of a backend, pointed at a core's address. Pod and Node name the core
// and where it ran, so that a slot stays with its core (or its node) across recomputations;
// the router does not see them.
type Connection struct {
	Cluster string
	Backend string
	Name    string // the slot, named as [Names] says: "vcore11", "ro_vcore21"
	Addr    string
	Pod     string
	Node    string
}

// Affinity routes a device's requests to a backend of the read-write cluster.
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
// Compare it with what a router shows (volthatest.Router.Table).
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
