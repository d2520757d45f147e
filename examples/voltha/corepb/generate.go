// Package corepb is the generated Go code of the part of a VOLTHA core's API that the
// affinity-router daemon uses (voltha.proto, common.proto): voltha.VolthaService's
// ListDeviceIds and ReconcileDevices, and common.ID and common.IDs, as VOLTHA defines them on
// the wire, declared again by this project from the public definition. Its message names are
// the real ones, so it cannot be linked into one program with voltha-protos' own packages.
//
// Regenerate it with go generate, which needs protoc (Debian's protobuf-compiler), the
// well-known types it imports (google/protobuf/empty.proto, in Debian's libprotobuf-dev) and the
// plugins of package afrouterpb.
package corepb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative common.proto voltha.proto
