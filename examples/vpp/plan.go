package vpp

import (
	"fmt"
	"net/netip"
)

// OpKind is the kind of one dataplane call in a [Plan].
type OpKind uint8

// The calls a plan is made of.
const (
	OpAddVIP    OpKind = iota // Dataplane.AddVIP
	OpDelAS                   // Dataplane.DelAS, always with flush
	OpAddAS                   // Dataplane.AddAS
	OpSetWeight               // Dataplane.SetWeight
	OpDelVIP                  // Dataplane.DelVIP, only to create a VIP again with other parameters
)

// Op is one dataplane call of a [Plan]. Params is set for OpAddVIP only.
type Op struct {
	Kind    OpKind
	VIP     VIP
	Params  VIPParams
	Address netip.Addr
	Weight  uint8
	Flush   bool
}

// String returns the call as the LB plugin's API would name it, with its arguments.
func (o Op) String() string {
	switch o.Kind {
	case OpAddVIP:
		return fmt.Sprintf("add_vip %v %v", o.VIP, o.Params)
	case OpDelVIP:
		return fmt.Sprintf("del_vip %v", o.VIP)
	case OpDelAS:
		return fmt.Sprintf("del_as %v %v flush", o.VIP, o.Address)
	case OpAddAS:
		return fmt.Sprintf("add_as %v %v weight %d", o.VIP, o.Address, o.Weight)
	}
	s := fmt.Sprintf("set_weight %v %v weight %d", o.VIP, o.Address, o.Weight)
	if o.Flush {
		s += " flush"
	}
	return s
}

// Plan computes the calls that take a VIP from what the dataplane holds (have; nil when the VIP
// does not exist) to what the frontend wants (the VIP's params and the entries of want), and
// nothing else: an entry that already has its weight gets no call. In order: add the VIP if
// missing, delete (with flush) servers nobody wants, then add or re-weight the wanted ones in
// the order of want (pool and member order, so that the dataplane sees servers in a stable
// order).
//
// A VIP's parameters cannot change while it exists: when have's do not match params (see
// [VIPParams.Matches]), the plan deletes every server (with flush) and the VIP, then adds the
// VIP with params and every wanted server.
//
// Flush: an entry moved to weight 0 is flushed if its [Desired] says so. An entry already at 0
// is flushed once more only if it wants a flush and clean says it was not flushed since it last
// carried traffic (clean(addr) is false): a standby backend drained without a flush that then
// goes down. Steady state makes no call at all. Plan is a pure function.
func Plan(vip VIP, params VIPParams, have *VIPEntry, want []Desired, clean func(addr netip.Addr) bool) []Op {
	var ops []Op
	if have != nil && !params.Matches(have.Params) {
		for _, as := range have.ASs {
			ops = append(ops, Op{Kind: OpDelAS, VIP: vip, Address: as.Address, Flush: true})
		}
		ops = append(ops, Op{Kind: OpDelVIP, VIP: vip})
		have = nil
	}
	current := map[netip.Addr]uint8{}
	if have == nil {
		ops = append(ops, Op{Kind: OpAddVIP, VIP: vip, Params: params})
	} else {
		for _, as := range have.ASs {
			current[as.Address] = as.Weight
		}
	}
	wanted := make(map[netip.Addr]bool, len(want))
	for _, d := range want {
		wanted[d.Address] = true
	}
	if have != nil {
		for _, as := range have.ASs {
			if !wanted[as.Address] {
				ops = append(ops, Op{Kind: OpDelAS, VIP: vip, Address: as.Address, Flush: true})
			}
		}
	}
	for _, d := range want {
		if op, ok := entryOp(vip, d, current, clean); ok {
			ops = append(ops, op)
		}
	}
	return ops
}

// entryOp is the call, if any, that brings one wanted entry to its desired weight.
func entryOp(vip VIP, d Desired, current map[netip.Addr]uint8, clean func(netip.Addr) bool) (Op, bool) {
	w, present := current[d.Address]
	switch {
	case !present:
		return Op{Kind: OpAddAS, VIP: vip, Address: d.Address, Weight: d.Weight}, true
	case w != d.Weight:
		return Op{Kind: OpSetWeight, VIP: vip, Address: d.Address, Weight: d.Weight, Flush: d.Weight == 0 && d.Flush}, true
	case d.Weight == 0 && d.Flush && !clean(d.Address):
		return Op{Kind: OpSetWeight, VIP: vip, Address: d.Address, Flush: true}, true
	}
	return Op{}, false
}
