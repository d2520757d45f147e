// Package prototest runs protoc for the tests of the generated packages afrouterpb and corepb:
// it checks that the committed code is what go generate produces, and decodes and encodes
// messages under a schema a test writes from the public definition, to show that our messages
// are the real ones on the wire.
//
// Every function skips its test when protoc or a plugin is missing, naming how to install it,
// and fails it instead when STEADFAST_REQUIRE_SERVERS=1 (as in CI).
package prototest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tool finds a program on PATH or in $GOPATH/bin, or skips the test naming how to install it
// (fails instead when STEADFAST_REQUIRE_SERVERS=1).
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := name + " not found: " + install
	if os.Getenv("STEADFAST_REQUIRE_SERVERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Protoc finds protoc (see [Tool]).
func Protoc(t testing.TB) string {
	t.Helper()
	return Tool(t, "protoc", "install Debian's protobuf-compiler (apt-get install protobuf-compiler)")
}

// run runs protoc in dir with args and stdin, and returns its standard output; a failure fails
// the test with protoc's standard error.
func run(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(Protoc(t), args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("protoc %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// CheckGenerated runs protoc with the pinned Go plugins on the .proto files of the current
// directory, as go generate does, and fails the test if a generated file differs from the
// committed one, or if either side has a .pb.go file the other lacks.
func CheckGenerated(t *testing.T, files ...string) {
	t.Helper()
	goPlugin := Tool(t, "protoc-gen-go", "go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12")
	grpcPlugin := Tool(t, "protoc-gen-go-grpc", "go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2")
	out := t.TempDir()
	args := append([]string{"--plugin=protoc-gen-go=" + goPlugin, "--plugin=protoc-gen-go-grpc=" + grpcPlugin,
		"--go_out=" + out, "--go_opt=paths=source_relative",
		"--go-grpc_out=" + out, "--go-grpc_opt=paths=source_relative"}, files...)
	run(t, ".", nil, args...)
	got, _ := filepath.Glob(filepath.Join(out, "*.pb.go"))
	want, _ := filepath.Glob("*.pb.go")
	if len(got) != len(want) {
		t.Errorf("go generate produces %d files, %d are committed: run go generate", len(got), len(want))
	}
	for _, g := range got {
		name := filepath.Base(g)
		generated, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s is not committed: run go generate", name)
			continue
		}
		if withoutVersions(generated) != withoutVersions(committed) {
			t.Errorf("%s differs from what go generate produces: run go generate", name)
		}
	}
}

// withoutVersions drops the lines naming the protoc version, which depends on the machine.
func withoutVersions(b []byte) string {
	var keep []string
	for line := range strings.Lines(string(b)) {
		if !strings.Contains(line, "protoc ") || !strings.HasPrefix(line, "//") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

// WellKnownTypes skips the test (fails it when STEADFAST_REQUIRE_SERVERS=1) unless protoc
// finds the well-known types (google/protobuf/empty.proto), which Debian ships in
// libprotobuf-dev.
func WellKnownTypes(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	schema := "syntax = \"proto3\";\nimport \"google/protobuf/empty.proto\";\n"
	if err := os.WriteFile(filepath.Join(dir, "wkt.proto"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Protoc(t), "-I.", "--descriptor_set_out="+filepath.Join(dir, "out.pb"), "wkt.proto")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := "protoc does not find google/protobuf/empty.proto: install Debian's libprotobuf-dev: " + string(out)
		if os.Getenv("STEADFAST_REQUIRE_SERVERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}
