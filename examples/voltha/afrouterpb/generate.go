// Package afrouterpb is the generated Go code of the afrouter configuration API
// (afrouter.proto): the service afrouter.Configuration and its messages as VOLTHA's affinity
// router defines them on the wire, declared again by this project from the public definition.
// Its message names are the real ones, so it cannot be linked into one program with
// voltha-protos' own afrouter package.
//
// Regenerate it with go generate, which needs protoc (Debian's protobuf-compiler) and the
// plugins installed with
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
package afrouterpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative afrouter.proto
