package vpp_test

import (
	"context"
	"testing"

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
	require.NoError(t, c.AddVIP(ctx, vip))
	assert.ErrorIs(t, c.AddVIP(ctx, vip), vpp.ErrExists)
	require.NoError(t, c.AddAS(ctx, vip, addrA, 100))
	assert.ErrorIs(t, c.AddAS(ctx, vip, addrA, 100), vpp.ErrExists)
	assert.ErrorIs(t, c.SetWeight(ctx, vip, addrB, 1, false), vpp.ErrNoSuchEntry)
	require.NoError(t, c.SetWeight(ctx, vip, addrA, 0, true))
	assert.ErrorIs(t, c.DelVIP(ctx, vip), vpp.ErrInUse, "a VIP with servers cannot be deleted")
	dump, err := c.Dump(ctx)
	require.NoError(t, err)
	assert.Equal(t, []vpp.VIPEntry{{VIP: vip, ASs: []vpp.AS{{Address: addrA, Weight: 0}}}}, dump)
	require.NoError(t, c.DelAS(ctx, vip, addrA, true))
	require.NoError(t, c.DelVIP(ctx, vip))
	assert.Equal(t, []vpp.Call{
		{Op: "add_vip", VIP: vip},
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
	require.NoError(t, old.AddVIP(ctx, vip))
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
