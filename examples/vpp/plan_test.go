package vpp_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

var (
	vip    = vpp.VIP{Prefix: netip.MustParsePrefix("192.0.2.1/32"), Protocol: vpp.TCP, Port: 80}
	addrA  = netip.MustParseAddr("10.0.0.1")
	addrB  = netip.MustParseAddr("10.0.0.2")
	addrX  = netip.MustParseAddr("10.9.9.9")
	gre4   = vpp.VIPParams{Encap: vpp.EncapGRE4, NewFlowsTableLength: vpp.DefaultNewFlowsTableLength}
	never  = func(netip.Addr) bool { return false }
	always = func(netip.Addr) bool { return true }
)

func want(a netip.Addr, w uint8, flush bool) vpp.Desired {
	return vpp.Desired{Address: a, Weight: w, Flush: flush}
}

func TestPlan(t *testing.T) {
	held := func(ass ...vpp.AS) *vpp.VIPEntry { return &vpp.VIPEntry{VIP: vip, Params: gre4, ASs: ass} }
	tests := []struct {
		name  string
		have  *vpp.VIPEntry
		want  []vpp.Desired
		clean func(netip.Addr) bool
		ops   []string
	}{
		{"a missing VIP is created with every server", nil,
			[]vpp.Desired{want(addrA, 100, false), want(addrB, 0, true)}, never,
			[]string{"add_vip 192.0.2.1/32 tcp/80 encap gre4 new_len 1024", "add_as 192.0.2.1/32 tcp/80 10.0.0.1 weight 100", "add_as 192.0.2.1/32 tcp/80 10.0.0.2 weight 0"}},
		{"steady state makes no call", held(vpp.AS{Address: addrA, Weight: 100}, vpp.AS{Address: addrB, Weight: 0}),
			[]vpp.Desired{want(addrA, 100, false), want(addrB, 0, true)}, always, nil},
		{"a weight change is one call", held(vpp.AS{Address: addrA, Weight: 100}),
			[]vpp.Desired{want(addrA, 30, false)}, never,
			[]string{"set_weight 192.0.2.1/32 tcp/80 10.0.0.1 weight 30"}},
		{"going to 0 for a down backend flushes", held(vpp.AS{Address: addrA, Weight: 100}),
			[]vpp.Desired{want(addrA, 0, true)}, never,
			[]string{"set_weight 192.0.2.1/32 tcp/80 10.0.0.1 weight 0 flush"}},
		{"going to 0 for a standby backend drains without flush", held(vpp.AS{Address: addrA, Weight: 100}),
			[]vpp.Desired{want(addrA, 0, false)}, never,
			[]string{"set_weight 192.0.2.1/32 tcp/80 10.0.0.1 weight 0"}},
		{"a drained entry that goes down is flushed once", held(vpp.AS{Address: addrA, Weight: 0}),
			[]vpp.Desired{want(addrA, 0, true)}, never,
			[]string{"set_weight 192.0.2.1/32 tcp/80 10.0.0.1 weight 0 flush"}},
		{"a flushed entry at 0 is not flushed again", held(vpp.AS{Address: addrA, Weight: 0}),
			[]vpp.Desired{want(addrA, 0, true)}, always, nil},
		{"a server nobody wants is deleted with flush", held(vpp.AS{Address: addrA, Weight: 100}, vpp.AS{Address: addrX, Weight: 5}),
			[]vpp.Desired{want(addrA, 100, false)}, never,
			[]string{"del_as 192.0.2.1/32 tcp/80 10.9.9.9 flush"}},
		{"a missing server is added", held(vpp.AS{Address: addrB, Weight: 0}),
			[]vpp.Desired{want(addrA, 100, false), want(addrB, 0, true)}, always,
			[]string{"add_as 192.0.2.1/32 tcp/80 10.0.0.1 weight 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, op := range vpp.Plan(vip, gre4, tt.have, tt.want, tt.clean) {
				got = append(got, op.String())
			}
			assert.Equal(t, tt.ops, got)
		})
	}
}

func TestPlan_AVIPWithOtherParametersIsDeletedAndCreatedAgain(t *testing.T) {
	have := &vpp.VIPEntry{VIP: vip, Params: vpp.VIPParams{Encap: vpp.EncapGRE4, NewFlowsTableLength: 64},
		ASs: []vpp.AS{{Address: addrA, Weight: 100}, {Address: addrX, Weight: 5}}}
	var got []string
	for _, op := range vpp.Plan(vip, gre4, have, []vpp.Desired{want(addrA, 100, false), want(addrB, 0, true)}, always) {
		got = append(got, op.String())
	}
	assert.Equal(t, []string{
		"del_as 192.0.2.1/32 tcp/80 10.0.0.1 flush",
		"del_as 192.0.2.1/32 tcp/80 10.9.9.9 flush",
		"del_vip 192.0.2.1/32 tcp/80",
		"add_vip 192.0.2.1/32 tcp/80 encap gre4 new_len 1024",
		"add_as 192.0.2.1/32 tcp/80 10.0.0.1 weight 100",
		"add_as 192.0.2.1/32 tcp/80 10.0.0.2 weight 0",
	}, got)
}

func TestPlan_TheNodePortIsNotComparedSinceTheDumpDoesNotCarryIt(t *testing.T) {
	nat := vpp.VIPParams{Encap: vpp.EncapNAT4, TargetPort: 8080, NodePort: 30080, NewFlowsTableLength: 1024}
	dumped := nat
	dumped.NodePort = 0
	have := &vpp.VIPEntry{VIP: vip, Params: dumped, ASs: []vpp.AS{{Address: addrA, Weight: 100}}}
	assert.Empty(t, vpp.Plan(vip, nat, have, []vpp.Desired{want(addrA, 100, false)}, always))
	have.Params.TargetPort = 9090
	assert.NotEmpty(t, vpp.Plan(vip, nat, have, []vpp.Desired{want(addrA, 100, false)}, always),
		"every other parameter is")
}
