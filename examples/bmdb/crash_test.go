package bmdb_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// The crash test re-executes the test binary as worker processes: TestMain sees workerEnv (the
// database URL) and runs crashWorker instead of the tests.
const (
	workerEnv = "BMDB_CRASH_WORKER"
	crashTTL  = 2 * time.Second
)

// crashWorker is one worker process: sessions running the provision and initialize loops
// with 8 workers each until SIGTERM. It prints "session <id>" on stdout as each one starts.
func crashWorker() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	db, err := bmdb.Open(ctx, os.Getenv(workerEnv))
	if err != nil {
		log.Error("open", "err", err)
		return 2
	}
	defer db.Close()
	prov := &bmdb.Provider{Latency: 40 * time.Millisecond, FailRate: 0.1, Seed: uint64(os.Getpid())}
	loops := bmdb.Loops(prov, bmdb.SourcePoll(20*time.Millisecond),
		bmdb.SourceBackoff(backoff.Policy{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}))[:2]
	hooks := reconcile.Hooks{OnReportFailed: func(key any, err error) {
		l, _ := key.(bmdb.Lease)
		log.Warn("report refused", "machine", l.Machine, "err", err)
	}}
	err = db.Serve(ctx, "crash-worker", func(ctx context.Context, sess *bmdb.Session) error {
		fmt.Printf("session %d\n", sess.ID())
		return bmdb.RunLoops(ctx, sess, loops, reconcile.WithParallelism(8), reconcile.WithHooks(hooks))
	}, bmdb.SessionTTL(crashTTL), bmdb.SessionLogger(log))
	if err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

// worker is a worker process started by the test.
type worker struct {
	cmd    *exec.Cmd
	log    *strings.Builder
	mu     *sync.Mutex // guards log and sess
	sess   int64
	exited chan struct{} // closed when the process has exited; err is then its exit
	err    error
}

func startWorker(t *testing.T, dsn string) *worker {
	t.Helper()
	w := &worker{cmd: exec.Command(os.Args[0], "-test.run=^$"), log: &strings.Builder{}, mu: &sync.Mutex{}, exited: make(chan struct{})}
	w.cmd.Env = append(os.Environ(), workerEnv+"="+dsn)
	out, err := w.cmd.StdoutPipe()
	require.NoError(t, err)
	w.cmd.Stderr = lockedWriter{w}
	require.NoError(t, w.cmd.Start())
	sc := bufio.NewScanner(out)
	require.True(t, sc.Scan(), "the worker prints its session")
	w.readSession(t, sc.Text())
	go func() {
		for sc.Scan() { // a worker whose session was lost starts a new one
			w.readSession(t, sc.Text())
		}
		w.err = w.cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default: // the test failed before it stopped the worker
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			w.mu.Lock()
			t.Logf("worker of session %d:\n%s", w.sess, w.log.String())
			w.mu.Unlock()
		}
	})
	return w
}

// readSession reads a "session <id>" line.
func (w *worker) readSession(t *testing.T, line string) {
	var id int64
	if _, err := fmt.Sscanf(line, "session %d", &id); err != nil {
		t.Errorf("worker printed %q: %v", line, err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sess != 0 {
		fmt.Fprintf(w.log, "(the test saw session %d replace %d)\n", id, w.sess)
	}
	w.sess = id
}

// session returns the worker's current session.
func (w *worker) session() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sess
}

type lockedWriter struct{ w *worker }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.log.Write(p)
}

// held lists the leases session holds, as "process/machine".
func held(t *testing.T, raw *sql.DB, session int64) []string {
	t.Helper()
	rows, err := raw.Query(`SELECT process || '/' || machine_id FROM work WHERE session_id = $1`, session)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// eventually polls cond every 20 ms until it holds or timeout passes: the workers are other
// processes on the wall clock, so there is no fake time to wait on.
func eventually(t *testing.T, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, msg)
		}
		<-tick.C
	}
}
