package corepb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/steadfast-go/steadfast/examples/voltha/corepb"
	"github.com/steadfast-go/steadfast/examples/voltha/internal/prototest"
)

// The public definition (opencord/voltha-protos, protos/voltha_protos/common.proto and
// voltha.proto), written down by this test: the identifier messages, and the two device calls
// of voltha.VolthaService with the call declared between them, which the real service has
// among many more (their messages are in files this test does not reproduce).
const (
	publicCommon = `syntax = "proto3";
package common;

message Key {
  string key = 1;
}

message ID {
  string id = 1;
}

message IDs {
  repeated ID items = 1;
}
`
	publicVoltha = `syntax = "proto3";
package voltha;

import "google/protobuf/empty.proto";
import public "voltha_protos/common.proto";

service VolthaService {
  rpc ListDeviceIds(google.protobuf.Empty) returns (common.IDs) {}
  rpc ReconcileDevices(common.IDs) returns (google.protobuf.Empty) {}
}
`
)

func TestIDsDecodeFieldForFieldUnderThePublicSchemaAndBack(t *testing.T) {
	s := prototest.WriteSchema(t, map[string]string{"common.proto": publicCommon})
	ids := &corepb.IDs{Items: []*corepb.ID{{Id: "olt-1"}, {Id: "olt-2"}, {}}}
	text := strings.Join([]string{`items {`, `id: "olt-1"`, `}`, `items {`, `id: "olt-2"`, `}`, `items {`, `}`}, "\n")

	b, err := proto.Marshal(ids)
	require.NoError(t, err)
	assert.Equal(t, text, prototest.Text(s.Decode(t, "common.proto", "common.IDs", b)), "ours under the public schema")

	var got corepb.IDs
	require.NoError(t, proto.Unmarshal(s.Encode(t, "common.proto", "common.IDs", text), &got))
	assert.True(t, proto.Equal(ids, &got), "the public schema's under ours: %v", &got)
	assert.Empty(t, got.ProtoReflect().GetUnknown())
}

func TestOurServiceAndMessagesAreDeclaredAsInThePublicSchema(t *testing.T) {
	prototest.WellKnownTypes(t)
	s := prototest.WriteSchema(t, map[string]string{"voltha.proto": publicVoltha, "voltha_protos/common.proto": publicCommon})
	files := s.Files(t, "voltha.proto")
	prototest.SameAsPublic(t, corepb.File_common_proto, files)
	prototest.SameAsPublic(t, corepb.File_voltha_proto, files)
	assert.Equal(t, "/voltha.VolthaService/ListDeviceIds", corepb.VolthaService_ListDeviceIds_FullMethodName)
	assert.Equal(t, "/voltha.VolthaService/ReconcileDevices", corepb.VolthaService_ReconcileDevices_FullMethodName)
}
