package vpp_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

func TestMemDataplane_BehavesLikeTheLBPluginAPI(t *testing.T) {
	ctx := context.Background()
	m := vpp.NewMemDataplane()
	c, err := m.Dial(ctx)
	require.NoError(t, err)
	assert.ErrorIs(t, c.AddAS(ctx, vip, addrA, 1), vpp.ErrNoSuchEntry, "no server on a missing VIP")
	require.NoError(t, c.AddVIP(ctx, vip, gre4))
	assert.ErrorIs(t, c.AddVIP(ctx, vip, gre4), vpp.ErrExists)
	require.NoError(t, c.AddAS(ctx, vip, addrA, 100))
	assert.ErrorIs(t, c.AddAS(ctx, vip, addrA, 100), vpp.ErrExists)
	assert.ErrorIs(t, c.SetWeight(ctx, vip, addrB, 1, false), vpp.ErrNoSuchEntry)
	require.NoError(t, c.SetWeight(ctx, vip, addrA, 0, true))
	assert.ErrorIs(t, c.DelVIP(ctx, vip), vpp.ErrInUse, "a VIP with servers cannot be deleted")
	dump, err := c.Dump(ctx)
	require.NoError(t, err)
	assert.Equal(t, []vpp.VIPEntry{{VIP: vip, Params: gre4, ASs: []vpp.AS{{Address: addrA, Weight: 0}}}}, dump)
	require.NoError(t, c.DelAS(ctx, vip, addrA, true))
	require.NoError(t, c.DelVIP(ctx, vip))
	assert.Equal(t, []vpp.Call{
		{Op: "add_vip", VIP: vip, Params: gre4},
		{Op: "add_as", VIP: vip, Address: addrA, Weight: 100},
		{Op: "set_weight", VIP: vip, Address: addrA, Weight: 0, Flush: true},
		{Op: "del_as", VIP: vip, Address: addrA, Flush: true},
		{Op: "del_vip", VIP: vip},
	}, m.Calls(), "only successful mutating calls are recorded")
	require.NoError(t, c.Close())
	assert.ErrorIs(t, c.Ping(ctx), vpp.ErrDisconnected, "a closed connection fails")
}

func TestMemDataplane_RestartForgetsEverythingAndEndsOldConnections(t *testing.T) {
	ctx := context.Background()
	m := vpp.NewMemDataplane()
	old, err := m.Dial(ctx)
	require.NoError(t, err)
	require.NoError(t, old.SetConf(ctx, vpp.Conf{StickyBucketsPerCore: 1024}))
	require.NoError(t, old.AddVIP(ctx, vip, gre4))
	m.Restart()
	assert.Empty(t, m.Snapshot(), "a restarted dataplane is empty")
	assert.Zero(t, m.Conf())
	assert.ErrorIs(t, old.Ping(ctx), vpp.ErrDisconnected, "connections from before the restart are dead")
	fresh, err := m.Dial(ctx)
	require.NoError(t, err)
	assert.NoError(t, fresh.Ping(ctx))

	m.Stop()
	_, err = m.Dial(ctx)
	assert.ErrorIs(t, err, vpp.ErrDisconnected, "a stopped dataplane cannot be dialled")
	assert.ErrorIs(t, fresh.Ping(ctx), vpp.ErrDisconnected)
	m.Start()
	_, err = m.Dial(ctx)
	assert.NoError(t, err)
}

func TestMemDataplane_RefusesWhatTheLBPluginRefuses(t *testing.T) {
	ctx := context.Background()
	m := vpp.NewMemDataplane()
	c, err := m.Dial(ctx)
	require.NoError(t, err)
	v6 := vpp.VIP{Prefix: netip.MustParsePrefix("2001:db8::1/128"), Protocol: vpp.TCP, Port: 80}
	tests := []struct {
		name string
		vip  vpp.VIP
		p    vpp.VIPParams
		want error
	}{
		{"a table length of 0", vip, vpp.VIPParams{}, vpp.ErrInvalidMemorySize},
		{"a table length that is not a power of two", vip, vpp.VIPParams{NewFlowsTableLength: 1000}, vpp.ErrInvalidMemorySize},
		{"nat6 on an IPv4 VIP", vip, vpp.VIPParams{Encap: vpp.EncapNAT6, NewFlowsTableLength: 1024}, vpp.ErrAddressFamily},
		{"l3dsr on an IPv6 VIP", v6, vpp.VIPParams{Encap: vpp.EncapL3DSR, NewFlowsTableLength: 1024}, vpp.ErrAddressFamily},
		{"a dscp above 63", vip, vpp.VIPParams{Encap: vpp.EncapL3DSR, DSCP: 64, NewFlowsTableLength: 1024}, vpp.ErrInvalidArgument},
		{"an unknown encap", vip, vpp.VIPParams{Encap: 5, NewFlowsTableLength: 1024}, vpp.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.ErrorIs(t, c.AddVIP(ctx, tt.vip, tt.p), tt.want) })
	}
	require.NoError(t, c.AddVIP(ctx, vip, gre4))
	other := vip
	other.Port = 443
	assert.ErrorIs(t, c.AddVIP(ctx, other, vpp.VIPParams{Encap: vpp.EncapNAT4, NewFlowsTableLength: 1024}), vpp.ErrInvalidArgument,
		"every port of a prefix has the same encap")
	assert.ErrorIs(t, c.AddAS(ctx, vip, netip.MustParseAddr("2001:db8::9"), 1), vpp.ErrAddressFamily, "gre4 carries to IPv4 servers")
	assert.ErrorIs(t, c.AddAS(ctx, vip, addrA, vpp.MaxWeight+1), vpp.ErrInvalidArgument)
	assert.ErrorIs(t, c.SetConf(ctx, vpp.Conf{StickyBucketsPerCore: 1000}), vpp.ErrInvalidMemorySize)
	require.NoError(t, c.SetConf(ctx, vpp.Conf{StickyBucketsPerCore: 1024, FlowTimeout: time.Minute}))
	require.NoError(t, c.SetConf(ctx, vpp.Conf{}))
	assert.Equal(t, vpp.Conf{StickyBucketsPerCore: 1024, FlowTimeout: time.Minute}, m.Conf(), "zero fields keep the dataplane's values")
	assert.Len(t, m.Calls(), 3, "refused calls are not recorded")
}

func TestMemDataplane_DumpReportsParametersButNotTheNodePort(t *testing.T) {
	ctx := context.Background()
	m := vpp.NewMemDataplane()
	c, err := m.Dial(ctx)
	require.NoError(t, err)
	p := vpp.VIPParams{Encap: vpp.EncapNAT4, SrvType: vpp.SrvNodePort, TargetPort: 8080, NodePort: 30080, NewFlowsTableLength: 64}
	require.NoError(t, c.AddVIP(ctx, vip, p))
	dump, err := c.Dump(ctx)
	require.NoError(t, err)
	require.Len(t, dump, 1)
	want := p
	want.NodePort = 0
	assert.Equal(t, want, dump[0].Params, "lb_vip_details has no node_port")
	assert.True(t, p.Matches(dump[0].Params), "so Matches leaves it out")
}
