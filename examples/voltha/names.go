package voltha

import (
	"errors"
	"fmt"
	"strconv"
)

// Names are the names the router's configuration file gives its parts; every call to the
// router carries them. [DefaultNames] are VOLTHA's. A Names is a plain value.
type Names struct {
	Server    string // the router's gRPC server, which the connections belong to
	Router    string // the router that holds the affinities
	Route     string // its route that routes by device
	RWCluster string // the cluster of the read-write cores; its backends are RWCluster+group
	ROCluster string // the cluster of the read-only cores; its backends are ROCluster+n
}

// DefaultNames are the names of VOLTHA's afrouter configuration, which its arouterd used: server
// "grpc_command", router "vcore", route "dev_manager", clusters "vcore" and "ro_vcore".
var DefaultNames = Names{Server: "grpc_command", Router: "vcore", Route: "dev_manager", RWCluster: "vcore", ROCluster: "ro_vcore"}

// RWBackend returns the backend of the read-write core group: "vcore" and "1" make "vcore1".
func (n Names) RWBackend(group string) string { return n.RWCluster + group }

// RWConnection returns the name of slot s (1 or 2) of a read-write backend: "vcore1" and 2
// make "vcore12".
func (n Names) RWConnection(backend string, s int) string { return backend + strconv.Itoa(s) }

// ROBackend returns the backend of read-only slot s, and its one connection: 2 makes
// "ro_vcore2" and "ro_vcore21".
func (n Names) ROBackend(s int) (backend, connection string) {
	b := n.ROCluster + strconv.Itoa(s)
	return b, b + "1"
}

// Layout is the router's configuration as the daemon fills it in: the names, and how many
// cores of each role the cluster runs. VOLTHA's afrouter declares RWCores/2 read-write
// backends of two connections each, and ROCores read-only backends of one connection; the
// daemon (re)configures a side only while exactly that many of its cores run, as the origin
// did. A Layout is a plain value; [DefaultLayout] is the origin's.
type Layout struct {
	Names   Names
	RWCores int // an even number 2n: groups "1" to "n"; 0 waits for no count and takes any group
	ROCores int // 0 waits for no count and gives every read-only core a backend
}

// DefaultLayout is the origin's: [DefaultNames], 6 read-write cores (backends vcore1 to
// vcore3) and 3 read-only cores (ro_vcore1 to ro_vcore3), the defaults of its NUM_RW_PODS and
// NUM_RO_PODS.
var DefaultLayout = Layout{Names: DefaultNames, RWCores: 6, ROCores: 3}

// Validate returns an error for a name that is empty, or a count that is negative or, for the
// read-write cores, odd.
func (l Layout) Validate() error {
	n := l.Names
	switch {
	case n.Server == "" || n.Router == "" || n.Route == "" || n.RWCluster == "" || n.ROCluster == "":
		return errors.New("voltha: every name of the layout must be set")
	case l.RWCores < 0 || l.RWCores%2 != 0:
		return fmt.Errorf("voltha: %d read-write cores: want an even number, 2 per backend", l.RWCores)
	case l.ROCores < 0:
		return fmt.Errorf("voltha: %d read-only cores", l.ROCores)
	}
	return nil
}

// HasGroup reports whether read-write group g has a backend in the router: with RWCores 2n,
// the groups "1" to "n"; with no count, any group that is not empty.
func (l Layout) HasGroup(g string) bool {
	if l.RWCores == 0 {
		return g != ""
	}
	n, err := strconv.Atoi(g)
	return err == nil && n >= 1 && n <= l.RWCores/2 && strconv.Itoa(n) == g
}
