package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/examples/voltha/sim"
)

func TestTheRouterKeepsWhatItIsToldAndForgetsItWhenRestarted(t *testing.T) {
	r, err := sim.StartRouter("127.0.0.1:0")
	require.NoError(t, err)
	cc, err := grpc.NewClient("passthrough:///"+r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer cc.Close()
	c := afrouterpb.NewConfigurationClient(cc)

	res, err := c.SetAffinity(t.Context(), &afrouterpb.Affinity{Id: "olt-1", Backend: "rw-core1"})
	require.NoError(t, err)
	assert.False(t, res.GetSuccess(), "an affinity to a backend with no connection is refused")
	_, err = c.SetConnection(t.Context(), &afrouterpb.Conn{Cluster: voltha.ClusterRW, Backend: "rw-core1", Connection: "rw-core1.1", Addr: "a:1"})
	require.NoError(t, err)
	res, err = c.SetAffinity(t.Context(), &afrouterpb.Affinity{Id: "olt-1", Backend: "rw-core1"})
	require.NoError(t, err)
	assert.True(t, res.GetSuccess(), res.GetError())
	cfg, err := c.GetConfig(t.Context(), &afrouterpb.GetConfigRequest{})
	require.NoError(t, err)
	assert.Len(t, cfg.GetConnections(), 1)
	assert.Equal(t, "rw-core1", cfg.GetAffinities()[0].GetBackend())

	addr := r.Addr()
	r.Stop()
	r, err = sim.StartRouter(addr)
	require.NoError(t, err)
	defer r.Stop()
	assert.Empty(t, r.Table().Connections, "a restarted router starts empty")
}
