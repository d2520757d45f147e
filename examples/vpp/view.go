package vpp

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// ErrUnknownFrontend is matched (with errors.Is) by the error of a view of a frontend the
// config does not have.
var ErrUnknownFrontend = errors.New("vpp: unknown frontend")

// FrontendView is what an operator sees of one frontend, like vpp-maglev's "maglevc show
// frontends": the VIP and its parameters, the active pool, and one row per member. Its JSON
// form is the operator endpoint's ([NewViewHandler]).
type FrontendView struct {
	Name                string        `json:"name"`
	VIP                 netip.Addr    `json:"vip"`
	Protocol            Protocol      `json:"protocol"`
	Port                uint16        `json:"port"`
	Encap               Encap         `json:"encap"`
	NewFlowsTableLength uint32        `json:"new_flows_table_length"`
	ActivePool          string        `json:"active_pool"`
	DataplaneKnown      bool          `json:"dataplane_known"` // false: no weight below is the dataplane's
	Backends            []BackendView `json:"backends"`
}

// BackendView is one member of a frontend as an operator sees it: its pool, its weight in the
// config, the effective weight the weight rule gives it now, the weight the dataplane holds
// (nil when the controller does not know it, or the dataplane has no such entry), and its
// state and since when.
type BackendView struct {
	Backend    string     `json:"backend"`
	Address    netip.Addr `json:"address"`
	Pool       string     `json:"pool"`
	Configured uint8      `json:"configured_weight"`
	Effective  uint8      `json:"effective_weight"`
	Dataplane  *uint8     `json:"dataplane_weight"`
	State      State      `json:"state"`
	Since      time.Time  `json:"since"`
}

// ViewOf computes a frontend's view from one snapshot of its backends' states and what the
// dataplane holds for its VIP (have; nil when that is not known or the VIP is missing). It
// sets DataplaneKnown when have is not nil. It is a pure function.
func ViewOf(f Frontend, snap Snapshot, have *VIPEntry) FrontendView {
	params := f.Params()
	v := FrontendView{Name: f.Name, VIP: f.VIP, Protocol: f.Protocol, Port: f.Port, Encap: params.Encap,
		NewFlowsTableLength: params.NewFlowsTableLength, DataplaneKnown: have != nil}
	if len(f.Pools) > 0 {
		v.ActivePool = f.Pools[ActivePool(f.Pools, snap.State)].Name
	}
	for _, d := range DesiredSet(f, snap) {
		v.Backends = append(v.Backends, BackendView{Backend: d.Backend, Address: d.Address,
			Pool: f.Pools[d.Pool].Name, Configured: d.Configured, Effective: d.Weight,
			Dataplane: heldWeight(have, d.Address), State: d.State, Since: snap[d.Backend].Since})
	}
	return v
}

func heldWeight(have *VIPEntry, a netip.Addr) *uint8 {
	if have == nil {
		return nil
	}
	for _, as := range have.ASs {
		if as.Address == a {
			w := as.Weight
			return &w
		}
	}
	return nil
}

// View returns the operator's view of the named frontend, or of every frontend in config order
// when name is empty, from one snapshot of the backends' states and what the controller last
// read from or wrote to the dataplane in the current session (DataplaneKnown is false when it
// knows nothing fresh: before the first dump, after a failed call until the next sync, and
// between sessions). It returns an error matching [ErrUnknownFrontend] for a name the config
// does not have. It is safe for concurrent use and makes no dataplane call.
func (c *Controller) View(name string) ([]FrontendView, error) {
	var fronts []Frontend
	if name == "" {
		fronts = c.cfg.Frontends
	} else if fi, ok := c.fronts[name]; ok {
		fronts = []Frontend{fi.f}
	} else {
		return nil, fmt.Errorf("%w %q", ErrUnknownFrontend, name)
	}
	var names []string
	for _, f := range fronts {
		names = append(names, c.fronts[f.Name].members...)
	}
	snap := c.checker.Snapshot(names...)
	img := c.img.Load()
	out := make([]FrontendView, 0, len(fronts))
	for _, f := range fronts {
		var have *VIPEntry
		if img != nil {
			if e, known := img.lookup(f.Key()); known {
				have = e
				if have == nil {
					have = &VIPEntry{VIP: f.Key()} // known, and missing: no weight held
				}
			}
		}
		out = append(out, ViewOf(f, snap, have))
	}
	return out, nil
}
