package steadfast_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allowedRoots are the modules DESIGN.md lets the library's non-test code require; everything
// they pull in is allowed too. Test-only modules (testify, goleak) must not reach non-test code.
var allowedRoots = []string{
	"k8s.io/apimachinery",
	"github.com/cenkalti/backoff/v4",
	"golang.org/x/sync",
	"golang.org/x/time",
}

// testOnly are allowed in the library's tests only, even where an allowed root pulls them in.
var testOnly = []string{"github.com/stretchr/testify", "go.uber.org/goleak"}

const self = "github.com/steadfast-go/steadfast"

// TestDependenciesStayShort fails when the library's non-test code depends on a module that is
// neither one of DESIGN.md's four nor something they pull in, so that a program that go-gets the
// library does not inherit a heavier dependency (client-go, gRPC, a database driver).
func TestDependenciesStayShort(t *testing.T) {
	graph := goOutput(t, "mod", "graph")
	reachable := closure(graph, allowedRoots)

	// Modules whose packages the library's non-test code compiles in.
	used := goOutput(t, "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", "./...")
	for _, mod := range uniqueLines(used) {
		if mod == self {
			continue
		}
		assert.NotContainsf(t, testOnly, mod, "non-test code depends on %s, a test-only module", mod)
		assert.Truef(t, reachable[mod], "non-test code depends on %s, which is none of %v nor pulled in by them", mod, allowedRoots)
	}
}

// closure returns the modules reachable in `go mod graph` output from roots, roots included.
func closure(graph []byte, roots []string) map[string]bool {
	edges := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(graph))
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		from, _, _ = strings.Cut(from, "@")
		to, _, _ = strings.Cut(to, "@")
		edges[from] = append(edges[from], to)
	}
	seen := map[string]bool{}
	queue := slices.Clone(roots)
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		if seen[m] {
			continue
		}
		seen[m] = true
		queue = append(queue, edges[m]...)
	}
	return seen
}

func goOutput(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("go", args...).Output()
	require.NoError(t, err, "go %v", args)
	return out
}

func uniqueLines(b []byte) []string {
	var lines []string
	for l := range strings.Lines(string(b)) {
		l = strings.TrimSpace(l)
		if l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestDependencyDirection fails when a library package imports another of the library's
// packages against the design's direction: backoff imports none of them; watch, connctx,
// reconcile and reconcile/converge import only backoff; a test kit (a package ending in "test")
// imports only backoff and the package it is the kit of. Packages under internal/ (the one
// body of every WithHooks, say) may be imported by any of them and import none.
func TestDependencyDirection(t *testing.T) {
	out := goOutput(t, "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	for _, line := range uniqueLines(out) {
		pkg, imports, _ := strings.Cut(line, " ")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, self), "/")
		for _, imp := range strings.Fields(imports) {
			dep, ok := strings.CutPrefix(imp, self+"/")
			if !ok || rel == "" {
				continue
			}
			allowed := dep == "backoff" && rel != "backoff"
			if strings.HasPrefix(dep, "internal/") {
				allowed = !strings.HasPrefix(rel, "internal/")
			}
			if strings.HasSuffix(rel, "test") {
				allowed = allowed || dep == pathDir(rel)
			}
			assert.Truef(t, allowed, "%s imports %s: only backoff (and, for a test kit, its own package) may be imported", rel, dep)
		}
	}
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}
