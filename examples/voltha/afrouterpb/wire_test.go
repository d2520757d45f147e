package afrouterpb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/examples/voltha/internal/prototest"
)

// publicSchema is the afrouter API as its public definition declares it (opencord/voltha-protos,
// protos/voltha_protos/afrouter.proto, last published in v3), written down by this test from
// that definition: every call and message of the service, without the log-level calls that
// some versions had (they need common.proto's logging messages). It is the reference our
// afrouter.proto is checked against.
const publicSchema = `syntax = "proto3";
package afrouter;

service Configuration {
  rpc SetConnection(Conn) returns (Result) {}
  rpc SetAffinity(Affinity) returns (Result) {}
  rpc GetGoroutineCount(Empty) returns (Count) {}
}

message Result {
  bool success = 1;
  string error = 2;
  string info = 3;
}

message Empty {}

message Count {
  uint32 count = 1;
}

message Conn {
  string server = 1;
  string pkg = 2;
  string svc = 3;
  string cluster = 4;
  string backend = 5;
  string connection = 6;
  string addr = 7;
  uint64 port = 8;
}

message Affinity {
  string router = 1;
  string route = 2;
  string cluster = 3;
  string backend = 4;
  string id = 5;
}
`

func schema(t *testing.T) prototest.Schema {
	return prototest.WriteSchema(t, map[string]string{"afrouter.proto": publicSchema})
}

// Every field set, each to a value of its own, and what protoc prints for it, a field a line.
var wire = []struct {
	name string
	msg  proto.Message
	text []string
}{
	{"afrouter.Conn", &afrouterpb.Conn{Server: "grpc_command", Pkg: "voltha", Svc: "VolthaService", Cluster: "vcore",
		Backend: "vcore1", Connection: "vcore12", Addr: "10.0.1.2", Port: 50057},
		[]string{`server: "grpc_command"`, `pkg: "voltha"`, `svc: "VolthaService"`, `cluster: "vcore"`, `backend: "vcore1"`,
			`connection: "vcore12"`, `addr: "10.0.1.2"`, `port: 50057`}},
	{"afrouter.Affinity", &afrouterpb.Affinity{Router: "vcore", Route: "dev_manager", Cluster: "vcore", Backend: "vcore2", Id: "olt-1"},
		[]string{`router: "vcore"`, `route: "dev_manager"`, `cluster: "vcore"`, `backend: "vcore2"`, `id: "olt-1"`}},
	{"afrouter.Result", &afrouterpb.Result{Success: true, Error: "none", Info: "set"},
		[]string{`success: true`, `error: "none"`, `info: "set"`}},
}

func TestOurMessagesDecodeFieldForFieldUnderThePublicSchema(t *testing.T) {
	s := schema(t)
	for _, tt := range wire {
		t.Run(tt.name, func(t *testing.T) {
			b, err := proto.Marshal(tt.msg)
			require.NoError(t, err)
			assert.Equal(t, strings.Join(tt.text, "\n"), prototest.Text(s.Decode(t, "afrouter.proto", tt.name, b)))
		})
	}
}

func TestMessagesOfThePublicSchemaDecodeFieldForFieldIntoOurs(t *testing.T) {
	s := schema(t)
	for _, tt := range wire {
		t.Run(tt.name, func(t *testing.T) {
			b := s.Encode(t, "afrouter.proto", tt.name, strings.Join(tt.text, "\n"))
			got := tt.msg.ProtoReflect().New().Interface()
			require.NoError(t, proto.Unmarshal(b, got))
			assert.True(t, proto.Equal(tt.msg, got), "decoded %v, want %v", got, tt.msg)
			assert.Empty(t, got.ProtoReflect().GetUnknown(), "no field is unknown to us")
		})
	}
}

func TestOurServiceAndMessagesAreDeclaredAsInThePublicSchema(t *testing.T) {
	files := schema(t).Files(t, "afrouter.proto")
	prototest.SameAsPublic(t, afrouterpb.File_afrouter_proto, files)
	assert.Equal(t, "/afrouter.Configuration/SetConnection", afrouterpb.Configuration_SetConnection_FullMethodName)
	assert.Equal(t, "/afrouter.Configuration/SetAffinity", afrouterpb.Configuration_SetAffinity_FullMethodName)
}
