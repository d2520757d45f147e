// Package etcdtest runs a real etcd server for tests: one member ([Start]) or a cluster
// ([StartCluster]) on 127.0.0.1, each member on free client and peer ports, its data in the
// test's temporary directory. A test can SIGKILL a member, start it again on the same data and
// ports, and compact the history.
//
// [Start] skips the test, naming examples/watchetcd and the Debian package etcd-server, when
// /usr/bin/etcd (or etcd on PATH) is missing, unless STEADFAST_REQUIRE_SERVERS=1, as in CI:
// then it fails it.
package etcdtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// ErrNoEtcd is returned by [Find] when the etcd binary is missing.
var ErrNoEtcd = errors.New("examples/watchetcd: etcd not found at /usr/bin/etcd or on PATH (install the Debian package etcd-server)")

// readyTimeout bounds how long a start waits for the member to report itself healthy.
const readyTimeout = 30 * time.Second

// Find returns the path of the etcd binary: /usr/bin/etcd, or etcd on PATH.
func Find() (string, error) {
	if _, err := os.Stat("/usr/bin/etcd"); err == nil {
		return "/usr/bin/etcd", nil
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	return "", ErrNoEtcd
}

// Server is one etcd member run by a test.
type Server struct {
	// Endpoint is the client URL, http://127.0.0.1:<port>.
	Endpoint string

	t          testing.TB
	bin, dir   string
	peer       string
	name       string
	cluster    string // --initial-cluster
	extraFlags []string
	cmd        *exec.Cmd
	exited     chan struct{}
}

// Option configures a [Server].
type Option func(*Server)

// WithFlags adds flags to etcd's command line (such as
// --experimental-watch-progress-notify-interval=1s).
func WithFlags(flags ...string) Option {
	return func(s *Server) { s.extraFlags = append(s.extraFlags, flags...) }
}

// Start starts a member for the test, waits until it is healthy (it has elected itself leader),
// and kills it when the test ends. It skips the test when etcd is missing, unless
// STEADFAST_REQUIRE_SERVERS=1: then it fails it.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return StartCluster(t, 1, opts...)[0]
}

// StartCluster starts a cluster of n members for the test, as [Start] does one, and returns
// once every member is healthy.
func StartCluster(t testing.TB, n int, opts ...Option) []*Server {
	t.Helper()
	bin, err := Find()
	if err != nil {
		if os.Getenv("STEADFAST_REQUIRE_SERVERS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err.Error())
	}
	var (
		members []*Server
		cluster []string
	)
	for i := range n {
		s := &Server{
			t:        t,
			bin:      bin,
			dir:      t.TempDir(),
			name:     "m" + strconv.Itoa(i+1),
			Endpoint: "http://127.0.0.1:" + strconv.Itoa(freePort(t)),
			peer:     "http://127.0.0.1:" + strconv.Itoa(freePort(t)),
		}
		for _, o := range opts {
			o(s)
		}
		members, cluster = append(members, s), append(cluster, s.name+"="+s.peer)
	}
	for _, s := range members {
		s.cluster = strings.Join(cluster, ",")
		t.Cleanup(s.Kill)
		s.launch()
	}
	for _, s := range members {
		s.WaitHealthy()
	}
	return members
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// launch starts the process on the server's data directory and ports; it does not wait.
func (s *Server) launch() {
	s.t.Helper()
	log, err := os.OpenFile(filepath.Join(s.dir, "etcd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	args := []string{
		"--name=" + s.name,
		"--data-dir=" + filepath.Join(s.dir, "data"),
		"--listen-client-urls=" + s.Endpoint,
		"--advertise-client-urls=" + s.Endpoint,
		"--listen-peer-urls=" + s.peer,
		"--initial-advertise-peer-urls=" + s.peer,
		"--initial-cluster=" + s.cluster,
		"--initial-cluster-state=new",
		"--logger=zap",
	}
	cmd := exec.Command(s.bin, append(args, s.extraFlags...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		s.t.Fatalf("etcdtest: start etcd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
}

// Kill sends SIGKILL and waits for the process to exit; it does nothing if it is not running.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// Restart starts the member again on the same data directory and ports, after [Server.Kill],
// and returns at once, without waiting for it to be ready: a client finds it electing itself
// leader.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("etcdtest: Restart while running")
	}
	s.launch()
}

// WaitHealthy polls the member's /health until it reports a leader, or fails the test after
// 30 seconds or if the process exits.
func (s *Server) WaitHealthy() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.healthy(ctx) {
			return
		}
		select {
		case <-ctx.Done():
			s.t.Fatalf("etcdtest: etcd not healthy after %v; log in %s", readyTimeout, s.LogPath())
		case <-s.exited:
			s.t.Fatalf("etcdtest: etcd exited; log:\n%s", s.Log())
		case <-tick.C:
		}
	}
}

func (s *Server) healthy(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/health", nil)
	if err != nil {
		return false
	}
	req.Close = true // no idle connection is left behind
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// LogPath is the file etcd logs to (every run of it appends).
func (s *Server) LogPath() string { return filepath.Join(s.dir, "etcd.log") }

// Log returns etcd's log so far.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.LogPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Client returns a client of the member, closed when the test ends.
func (s *Server) Client() *clientv3.Client {
	s.t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second, Logger: zapNop()})
	if err != nil {
		s.t.Fatalf("etcdtest: client: %v", err)
	}
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Compact compacts the member's history up to rev (physically: it returns once the old
// revisions are gone), so that a watch from before rev fails with etcd's ErrCompacted.
func (s *Server) Compact(ctx context.Context, rev int64) {
	s.t.Helper()
	c := s.Client()
	if _, err := c.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		s.t.Fatalf("etcdtest: compact %d: %v", rev, err)
	}
}

// zapNop is a logger that drops everything: the client's logs of reconnects during a test's
// restarts are noise.
func zapNop() *zap.Logger { return zap.NewNop() }
