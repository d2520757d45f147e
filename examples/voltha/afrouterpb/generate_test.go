package afrouterpb_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool finds a program on PATH or in $GOPATH/bin, or skips the test naming how to install it
// (fails instead when STEADFAST_REQUIRE_SERVERS=1, as in CI).
func tool(t *testing.T, name, install string) string {
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

func TestTheCommittedCodeIsWhatGoGenerateProduces(t *testing.T) {
	protoc := tool(t, "protoc", "apt-get install protobuf-compiler")
	goPlugin := tool(t, "protoc-gen-go", "go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12")
	grpcPlugin := tool(t, "protoc-gen-go-grpc", "go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2")
	out := t.TempDir()
	cmd := exec.Command(protoc, "--plugin=protoc-gen-go="+goPlugin, "--plugin=protoc-gen-go-grpc="+grpcPlugin,
		"--go_out="+out, "--go_opt=paths=source_relative",
		"--go-grpc_out="+out, "--go-grpc_opt=paths=source_relative", "afrouter.proto")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	for _, f := range []string{"afrouter.pb.go", "afrouter_grpc.pb.go"} {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if withoutVersions(got) != withoutVersions(want) {
			t.Errorf("%s differs from what go generate produces: run go generate ./voltha/afrouterpb", f)
		}
	}
}
