package prototest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Schema is a set of .proto files a test wrote, in a directory of their own.
type Schema struct{ dir string }

// WriteSchema writes files (slash-separated path -> content) into a temporary directory of
// the test.
func WriteSchema(t testing.TB, files map[string]string) Schema {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Schema{dir: dir}
}

// Decode decodes b as the message type (a full name, "afrouter.Conn") of file under the
// schema, with protoc --decode, and returns protoc's text format, one field a line.
func (s Schema) Decode(t testing.TB, file, msgType string, b []byte) string {
	t.Helper()
	return string(run(t, s.dir, b, "-I.", "--decode="+msgType, file))
}

// Encode encodes text (protoc's text format) as the message type of file under the schema,
// with protoc --encode, and returns the bytes on the wire.
func (s Schema) Encode(t testing.TB, file, msgType, text string) []byte {
	t.Helper()
	return run(t, s.dir, []byte(text), "-I.", "--encode="+msgType, file)
}

// Files returns the schema's descriptors, file and what it imports, as protoc compiles them.
func (s Schema) Files(t testing.TB, file string) *protoregistry.Files {
	t.Helper()
	out := filepath.Join(t.TempDir(), "set.pb")
	run(t, s.dir, nil, "-I.", "--include_imports", "--descriptor_set_out="+out, file)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Text normalises protoc's text format for comparison: one field a line, no surrounding space.
func Text(s string) string {
	var lines []string
	for line := range strings.Lines(s) {
		if l := strings.TrimSpace(line); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
