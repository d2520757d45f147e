package volthatest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

// SetConnection implements the API as the afrouter does: the server, cluster, backend and
// connection must be declared, or the call is refused; a call that would leave the connection
// as it is is refused with the afrouter's words ("Refusing to change connection '<name>' to
// identical values"); else the connection points at addr:port (an empty addr points it
// nowhere).
func (r *Router) SetConnection(_ context.Context, c *afrouterpb.Conn) (*afrouterpb.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.failing(); err != nil {
		return nil, err
	}
	if err := r.declared(c); err != nil {
		return nil, err
	}
	key := [3]string{c.GetCluster(), c.GetBackend(), c.GetConnection()}
	addr := ""
	if c.GetAddr() != "" {
		addr = net.JoinHostPort(c.GetAddr(), strconv.FormatUint(c.GetPort(), 10))
	}
	if old, ok := r.conns[key]; ok && old == addr {
		return nil, status.Errorf(codes.Unknown, "Refusing to change connection '%s' to identical values", c.GetConnection())
	}
	if addr == "" {
		delete(r.conns, key)
	} else {
		r.conns[key] = addr
	}
	return &afrouterpb.Result{Success: true}, nil
}

// declared refuses a connection the router's configuration does not declare. r.mu must be held.
func (r *Router) declared(c *afrouterpb.Conn) error {
	n := r.layout.Names
	switch {
	case c.GetServer() != n.Server:
		return r.refuse(fmt.Sprintf("Server '%s' doesn't exist", c.GetServer()))
	case c.GetCluster() != n.RWCluster && c.GetCluster() != n.ROCluster:
		return r.refuse(fmt.Sprintf("Cluster '%s' doesn't exist", c.GetCluster()))
	case !r.hasBackend(c.GetCluster(), c.GetBackend()):
		return r.refuse(fmt.Sprintf("Backend '%s' doesn't exist in cluster %s", c.GetBackend(), c.GetCluster()))
	}
	slots := []string{c.GetBackend() + "1"} // a read-only backend has one connection
	if c.GetCluster() == n.RWCluster {
		slots = append(slots, c.GetBackend()+"2")
	}
	for _, s := range slots {
		if c.GetConnection() == s {
			return nil
		}
	}
	return r.refuse(fmt.Sprintf("Connection '%s' doesn't exist", c.GetConnection()))
}

// hasBackend reports whether the layout declares backend in cluster: RWCluster+g for the
// groups g the layout has, ROCluster+n for n from 1 to ROCores (any n from 1 if 0).
func (r *Router) hasBackend(cluster, backend string) bool {
	n := r.layout.Names
	if cluster == n.RWCluster {
		g, ok := strings.CutPrefix(backend, n.RWCluster)
		return ok && r.layout.HasGroup(g)
	}
	k, ok := strings.CutPrefix(backend, n.ROCluster)
	i, err := strconv.Atoi(k)
	return ok && err == nil && i >= 1 && strconv.Itoa(i) == k && (r.layout.ROCores == 0 || i <= r.layout.ROCores)
}

// SetAffinity implements the API: it routes a device to a backend of the read-write cluster
// on the router's route. The afrouter takes an unknown router or route down and only logs an
// unknown backend or an affinity moved to another backend, keeping the one it has; this router
// refuses all of them, so that a test sees them.
func (r *Router) SetAffinity(_ context.Context, a *afrouterpb.Affinity) (*afrouterpb.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.failing(); err != nil {
		return nil, err
	}
	n := r.layout.Names
	switch old, ok := r.affs[a.GetId()]; {
	case a.GetRouter() != n.Router || a.GetRoute() != n.Route:
		return nil, r.refuse(fmt.Sprintf("no router %q with route %q", a.GetRouter(), a.GetRoute()))
	case a.GetCluster() != n.RWCluster || !r.hasBackend(n.RWCluster, a.GetBackend()):
		return nil, r.refuse(fmt.Sprintf("Requested backend '%s' not found in cluster '%s'", a.GetBackend(), a.GetCluster()))
	case ok && old != a.GetBackend():
		return nil, r.refuse(fmt.Sprintf("Attempting multiple sets of affinity for key %s to backend %s from %s",
			a.GetId(), a.GetBackend(), old))
	}
	r.affs[a.GetId()] = a.GetBackend()
	return &afrouterpb.Result{Success: true}, nil
}
