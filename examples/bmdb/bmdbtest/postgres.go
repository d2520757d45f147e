package bmdbtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// ErrNoPostgres is returned by [Start] when the PostgreSQL binaries are not installed.
var ErrNoPostgres = errors.New("bmdbtest: PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: install the Debian package postgresql")

// Postgres is a running private PostgreSQL server. Its methods are safe for concurrent use,
// except Stop, which must not run concurrently with the others.
type Postgres struct {
	Bin  string // the directory of the server's binaries
	Dir  string // the temporary directory of its data, socket and log
	Port int    // its TCP port on 127.0.0.1

	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	runAs   string        // "postgres" when running as root, else ""
	durable bool
	dbs     atomic.Int64
}

// Option configures [Start] and [StartPostgres].
type Option func(*Postgres)

// Durable makes every commit reach the write-ahead log before it is acknowledged, as a
// production server's do (synchronous_commit=on), so that a [Postgres.Crash] loses no
// committed transaction. By default commits are acknowledged before they are written, which
// is faster, and a crash loses the last fraction of a second of them. Either way the files
// are never flushed to disk (fsync=off): the data survives a crash of the server, not of the
// machine.
func Durable() Option { return func(p *Postgres) { p.durable = true } }

// StartPostgres starts a server for the test and stops it when the test ends (t.Cleanup). It
// skips the test if the binaries are missing, unless STEADFAST_REQUIRE_SERVERS=1.
func StartPostgres(t testing.TB, opts ...Option) *Postgres {
	t.Helper()
	p, err := Start(context.Background(), opts...)
	if errors.Is(err, ErrNoPostgres) && os.Getenv("STEADFAST_REQUIRE_SERVERS") != "1" {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// Start starts a server and returns it once it accepts connections; the caller stops it with
// [Postgres.Stop]. It returns [ErrNoPostgres] if the binaries are missing.
func Start(ctx context.Context, opts ...Option) (*Postgres, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	p := &Postgres{Bin: bin}
	for _, opt := range opts {
		opt(p)
	}
	if os.Geteuid() == 0 {
		p.runAs = "postgres"
	}
	if p.Dir, err = p.makeDir(); err != nil {
		return nil, err
	}
	if err := p.initdb(ctx); err != nil {
		_ = os.RemoveAll(p.Dir)
		return nil, err
	}
	if err := p.serve(ctx); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// findBin returns the newest /usr/lib/postgresql/<version>/bin that has a postgres binary.
func findBin() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(found) == 0 {
		return "", ErrNoPostgres
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) < version(found[j]) })
	return filepath.Dir(found[len(found)-1]), nil
}

func version(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// makeDir makes the server's directory, owned by the user the server runs as.
func (p *Postgres) makeDir() (string, error) {
	parent := "" // $TMPDIR, or /tmp
	if p.runAs != "" {
		parent = "/tmp" // the server's user must reach the directory: $TMPDIR may be private to root
	}
	dir, err := os.MkdirTemp(parent, "bmdbtest-pg-")
	if err != nil {
		return "", err
	}
	if p.runAs != "" {
		u, err := user.Lookup(p.runAs)
		if err != nil {
			return "", fmt.Errorf("bmdbtest: user %s (from the postgresql package): %w", p.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// command runs a binary of the server, as the postgres user when running as root.
func (p *Postgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.Bin, name)
	if p.runAs == "" {
		return exec.CommandContext(ctx, path, args...)
	}
	return exec.CommandContext(ctx, "runuser", append([]string{"-u", p.runAs, "--", path}, args...)...)
}

func (p *Postgres) initdb(ctx context.Context) error {
	out, err := p.command(ctx, "initdb", "-D", filepath.Join(p.Dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("bmdbtest: initdb: %w: %s", err, out)
	}
	return nil
}

// serve starts the server, on a free port the first time, and waits until it accepts
// connections.
func (p *Postgres) serve(ctx context.Context) error {
	if p.Port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		p.Port = l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
	}
	logf, err := os.OpenFile(filepath.Join(p.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	p.cmd = p.command(context.Background(), "postgres", "-D", filepath.Join(p.Dir, "data"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-k", p.Dir,
		"-c", "fsync=off", "-c", "synchronous_commit="+map[bool]string{false: "off", true: "on"}[p.durable],
		"-c", "full_page_writes=off",
		"-c", "max_connections=300")
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("bmdbtest: start postgres: %w", err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(p.cmd, p.exited)
	return p.waitReady(ctx)
}

// waitReady polls pg_isready for up to 30 s, or until the server exits.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := exec.CommandContext(ctx, filepath.Join(p.Bin, "pg_isready"), "-q", "-h", "127.0.0.1",
			"-p", strconv.Itoa(p.Port)).Run()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			log, _ := os.ReadFile(filepath.Join(p.Dir, "server.log"))
			return fmt.Errorf("bmdbtest: postgres did not become ready: %w: %s", ctx.Err(), log)
		case <-p.exited:
			log, _ := os.ReadFile(filepath.Join(p.Dir, "server.log"))
			return fmt.Errorf("bmdbtest: postgres exited before it became ready: %s", log)
		case <-tick.C:
		}
	}
}

// DSN returns the URL of database db on the server.
func (p *Postgres) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

// CreateDatabase creates a new empty database and returns its URL.
func (p *Postgres) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("db%d", p.dbs.Add(1))
	out, err := exec.CommandContext(ctx, filepath.Join(p.Bin, "createdb"), "-h", "127.0.0.1",
		"-p", strconv.Itoa(p.Port), "-U", "postgres", name).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("bmdbtest: createdb: %w: %s", err, out)
	}
	return p.DSN(name), nil
}

// NewDatabase creates a new empty database for the test and returns its URL.
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	dsn, err := p.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Stop stops the server (a fast shutdown: clients are disconnected), waits for it and removes
// its directory. Subsequent calls do nothing.
func (p *Postgres) Stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		// SIGINT is PostgreSQL's fast shutdown; the whole group, since runuser forks.
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
		}
		p.cmd = nil
	}
	if p.Dir != "" {
		_ = os.RemoveAll(p.Dir)
		p.Dir = ""
	}
}
