package volthatest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

func client(t *testing.T, r *volthatest.Router) afrouterpb.ConfigurationClient {
	t.Helper()
	cc, err := grpc.NewClient("passthrough:///"+r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cc.Close() })
	return afrouterpb.NewConfigurationClient(cc)
}

func TestTheRouterKeepsWhatItIsToldAndForgetsItWhenRestarted(t *testing.T) {
	r, err := volthatest.StartRouter("127.0.0.1:0")
	require.NoError(t, err)
	c := client(t, r)
	n := voltha.DefaultNames
	_, err = c.SetConnection(t.Context(), &afrouterpb.Conn{Server: n.Server, Cluster: n.RWCluster, Backend: "vcore1",
		Connection: "vcore12", Addr: "10.0.0.1", Port: 50057})
	require.NoError(t, err)
	res, err := c.SetAffinity(t.Context(), &afrouterpb.Affinity{Router: n.Router, Route: n.Route, Cluster: n.RWCluster,
		Backend: "vcore1", Id: "olt-1"})
	require.NoError(t, err)
	assert.True(t, res.GetSuccess(), res.GetError())
	assert.Equal(t, "conn vcore/vcore1/vcore12 -> 10.0.0.1:50057\naffinity olt-1 -> vcore1\n", r.Table().String())
	assert.Empty(t, r.Refused())

	addr := r.Addr()
	r.Stop()
	r, err = volthatest.StartRouter(addr)
	require.NoError(t, err)
	defer r.Stop()
	assert.Empty(t, r.Table().Connections, "a restarted router starts empty")
}

func TestTheRouterRefusesWhatItsConfigurationDoesNotDeclare(t *testing.T) {
	r, err := volthatest.StartRouter("127.0.0.1:0", volthatest.WithLayout(voltha.Layout{Names: voltha.DefaultNames, RWCores: 2, ROCores: 1}))
	require.NoError(t, err)
	defer r.Stop()
	c := client(t, r)
	n := voltha.DefaultNames
	conn := func(server, cluster, backend, name string) *afrouterpb.Conn {
		return &afrouterpb.Conn{Server: server, Cluster: cluster, Backend: backend, Connection: name, Addr: "10.0.0.1", Port: 1}
	}
	tests := []struct {
		name string
		conn *afrouterpb.Conn
	}{
		{"a message of the old API: no server, cluster or port", &afrouterpb.Conn{Cluster: "vcore", Backend: "rw-core1", Connection: "rw-core1.1", Addr: "10.0.0.1:50057"}},
		{"an unknown server", conn("grpc", n.RWCluster, "vcore1", "vcore11")},
		{"an unknown cluster", conn(n.Server, "rw", "vcore1", "vcore11")},
		{"a backend beyond the layout", conn(n.Server, n.RWCluster, "vcore2", "vcore21")},
		{"a third connection of a read-write backend", conn(n.Server, n.RWCluster, "vcore1", "vcore13")},
		{"a second connection of a read-only backend", conn(n.Server, n.ROCluster, "ro_vcore1", "ro_vcore12")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SetConnection(t.Context(), tt.conn)
			assert.Equal(t, codes.Unknown, status.Code(err), "refused: %v", err)
		})
	}
	assert.Len(t, r.Refused(), len(tests))
	assert.Empty(t, r.Table().Connections)
}

func TestTheRouterRefusesAConnectionSetToTheValuesItHasInTheRealRoutersWords(t *testing.T) {
	r, err := volthatest.StartRouter("127.0.0.1:0")
	require.NoError(t, err)
	defer r.Stop()
	c := client(t, r)
	n := voltha.DefaultNames
	conn := &afrouterpb.Conn{Server: n.Server, Cluster: n.ROCluster, Backend: "ro_vcore1", Connection: "ro_vcore11", Addr: "10.0.0.9", Port: 50057}
	_, err = c.SetConnection(t.Context(), conn)
	require.NoError(t, err)
	_, err = c.SetConnection(t.Context(), conn)
	assert.Equal(t, codes.Unknown, status.Code(err))
	assert.Contains(t, status.Convert(err).Message(), "Refusing to change connection 'ro_vcore11' to identical values")
	assert.Empty(t, r.Refused(), "not listed as a refusal")
}

func TestTheRouterRefusesToMoveAnAffinity(t *testing.T) {
	r, err := volthatest.StartRouter("127.0.0.1:0")
	require.NoError(t, err)
	defer r.Stop()
	c := client(t, r)
	n := voltha.DefaultNames
	aff := func(backend string) *afrouterpb.Affinity {
		return &afrouterpb.Affinity{Router: n.Router, Route: n.Route, Cluster: n.RWCluster, Backend: backend, Id: "olt-1"}
	}
	_, err = c.SetAffinity(t.Context(), aff("vcore1"))
	require.NoError(t, err)
	_, err = c.SetAffinity(t.Context(), aff("vcore1"))
	require.NoError(t, err, "the same backend again")
	_, err = c.SetAffinity(t.Context(), aff("vcore2"))
	assert.Error(t, err)
	_, err = c.SetAffinity(t.Context(), &afrouterpb.Affinity{Id: "olt-2", Backend: "vcore1"})
	assert.Error(t, err, "no router or route")
	assert.Equal(t, "affinity olt-1 -> vcore1\n", r.Table().String())
	assert.Len(t, r.Refused(), 2)
}
