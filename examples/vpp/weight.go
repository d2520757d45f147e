package vpp

import "net/netip"

// EffectiveWeight is the weight rule: the weight a backend gets in the dataplane, from its
// state and whether its pool is the frontend's active pool, and whether its entry should be
// flushed (existing flows torn down) when it goes to weight 0. configured is the member's weight
// in its pool. It is a pure function; its full truth table:
//
//	state     in active pool  weight      flush
//	unknown   either          0           no    not checked yet: no new flows, keep old ones
//	up        yes             configured  no
//	up        no              0           no    standby: drained, its flows finish
//	down      either          0           yes   failing: its flows would fail anyway
//	disabled  either          0           yes   an operator took it out
//	paused    either          0           no    checks paused: drained, not torn down
//
// Flush says what to do on the way to weight 0, not in steady state: the sync path sends a
// flush only when it moves an entry to weight 0 (or finds it at 0 without a flush since it last
// carried traffic), never again while the entry stays at 0. See [Plan].
func EffectiveWeight(s State, inActivePool bool, configured uint8) (weight uint8, flush bool) {
	switch s {
	case StateUp:
		if inActivePool {
			return configured, false
		}
		return 0, false
	case StateDown, StateDisabled:
		return 0, true
	}
	return 0, false
}

// ActivePool returns the index of the frontend's active pool: the first pool with a backend
// that is up and has a weight above zero in that pool, or 0 if no pool has one (then every
// backend gets weight 0 anyway). state tells a backend's state by name.
func ActivePool(pools []Pool, state func(backend string) State) int {
	for i, p := range pools {
		for _, m := range p.Members {
			if m.Weight > 0 && state(m.Backend) == StateUp {
				return i
			}
		}
	}
	return 0
}

// Desired is one backend's entry as the sync path wants it in the dataplane.
type Desired struct {
	Backend    string
	Address    netip.Addr
	Pool       int // index of the member's pool
	State      State
	Configured uint8 // the member's weight in its pool
	Weight     uint8 // the effective weight, from [EffectiveWeight]
	Flush      bool  // flush when going to weight 0
}

// DesiredSet computes the entries a frontend wants, in pool and member order: one per member,
// disabled ones included (at weight 0), weighted by [EffectiveWeight] against [ActivePool],
// all from the one snapshot snap, which gives the members' addresses and states. It is a pure
// function of its arguments.
func DesiredSet(f Frontend, snap Snapshot) []Desired {
	active := ActivePool(f.Pools, snap.State)
	var out []Desired
	for i, p := range f.Pools {
		for _, m := range p.Members {
			b := snap[m.Backend]
			w, flush := EffectiveWeight(b.State, i == active, m.Weight)
			out = append(out, Desired{Backend: m.Backend, Address: b.Address, Pool: i, State: b.State,
				Configured: m.Weight, Weight: w, Flush: flush})
		}
	}
	return out
}
