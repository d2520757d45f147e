package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
)

func TestTheRequestsCarryTheOriginsNamesAndTheAddressAsIPAndPort(t *testing.T) {
	req, err := DefaultNames.ConnRequest(rwc("vcore12", "[fd00::2]:50057", "rw-core1-1", "n2"))
	require.NoError(t, err)
	assert.True(t, proto.Equal(&afrouterpb.Conn{Server: "grpc_command", Cluster: "vcore", Backend: "vcore1", Connection: "vcore12",
		Addr: "fd00::2", Port: 50057}, req), "%v", req)
	assert.True(t, proto.Equal(&afrouterpb.Affinity{Router: "vcore", Route: "dev_manager", Cluster: "vcore", Backend: "vcore2", Id: "olt-1"},
		DefaultNames.AffinityRequest(Affinity{Device: "olt-1", Backend: "vcore2"})))
	for _, addr := range []string{"", "10.0.0.1", "host:50057", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:x"} {
		_, err := DefaultNames.ConnRequest(Connection{Addr: addr})
		assert.Error(t, err, addr)
	}
}
