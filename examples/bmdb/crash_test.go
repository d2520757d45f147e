package bmdb_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// The crash and fault tests re-execute the test binary as worker processes: TestMain sees
// workerEnv (the database URL) and runs crashWorker instead of the tests. providerEnv is the
// URL of the provider the test serves (serveProvider), shared by every worker.
const (
	workerEnv   = "BMDB_CRASH_WORKER"
	providerEnv = "BMDB_PROVIDER_URL"
	crashTTL    = 2 * time.Second
)

// crashWorker is one worker process: sessions running the provision and initialize loops
// with 8 workers each until SIGTERM. It prints its sessions' events on stdout, one a line:
// "session <id>" as each starts, "ended <id>" after each ends, "openfail <attempt>" after
// each failed attempt to open one, and "frozen <process>/<machine>" just before it stops
// itself inside a report's transaction, which SIGUSR1 asks for.
func crashWorker() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	db, err := bmdb.Open(ctx, os.Getenv(workerEnv), bmdb.WithTTL(crashTTL))
	if err != nil {
		log.Error("open", "err", err)
		return 2
	}
	defer db.Close()
	freezeInReportOnSIGUSR1(db)
	loops := bmdb.Loops(httpCloud(os.Getenv(providerEnv)), bmdb.SourcePoll(20*time.Millisecond),
		bmdb.SourceBackoff(backoff.Policy{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}))[:2]
	hooks := reconcile.Hooks{OnReportFailed: func(key any, err error) {
		l, _ := key.(bmdb.Lease)
		log.Warn("report refused", "machine", l.Machine, "err", err)
	}}
	events := bmdb.ServeHooks{
		OpenFailed: func(r backoff.Retrying) { emit("openfail %d", r.Attempt) },
		Started:    func(s *bmdb.Session) { emit("session %d", s.ID()) },
		Ended:      func(e bmdb.SessionEnd) { emit("ended %d", e.Session) },
	}
	err = db.Serve(ctx, "crash-worker", func(ctx context.Context, sess *bmdb.Session) error {
		return bmdb.RunLoops(ctx, sess, loops, reconcile.WithParallelism(8), reconcile.WithHooks(hooks))
	}, bmdb.SessionLogger(log), bmdb.WithServeHooks(events))
	if err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

var emitMu sync.Mutex

// emit prints one event line for the test.
func emit(format string, args ...any) {
	emitMu.Lock()
	defer emitMu.Unlock()
	fmt.Printf(format+"\n", args...)
}

// freezeInReportOnSIGUSR1 makes the first report in a transaction after each SIGUSR1 stop the
// whole process (SIGSTOP) inside the transaction, after it wrote the lease's row: a process
// frozen with a transaction open and row locks held, until the test sends SIGCONT.
func freezeInReportOnSIGUSR1(db *bmdb.DB) {
	var armed atomic.Bool
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 { // ends with the process
			armed.Store(true)
		}
	}()
	bmdb.SetReportHook(db, func(l bmdb.Lease) {
		if armed.CompareAndSwap(true, false) {
			emit("frozen %s/%s", l.Process, l.Machine)
			_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		}
	})
}

// worker is a worker process started by the test.
type worker struct {
	cmd    *exec.Cmd
	mu     sync.Mutex // guards what follows
	log    strings.Builder
	sess   int64         // the session started last
	events []event       // every line it printed, in order
	exited chan struct{} // closed when the process has exited; err is then its exit
	err    error
}

// event is a line a worker printed, and when the test read it.
type event struct {
	at   time.Time
	kind string // session, ended, openfail, frozen
	arg  string
}

func startWorker(t *testing.T, dsn, provider string) *worker {
	t.Helper()
	w := &worker{cmd: exec.Command(os.Args[0], "-test.run=^$"), exited: make(chan struct{})}
	w.cmd.Env = append(os.Environ(), workerEnv+"="+dsn, providerEnv+"="+provider)
	out, err := w.cmd.StdoutPipe()
	require.NoError(t, err)
	w.cmd.Stderr = lockedWriter{w}
	require.NoError(t, w.cmd.Start())
	sc := bufio.NewScanner(out)
	go func() {
		for sc.Scan() {
			w.read(t, sc.Text())
		}
		w.err = w.cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default: // the test failed before it stopped the worker
			_ = w.cmd.Process.Signal(syscall.SIGCONT)
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() || os.Getenv("BMDB_WORKER_LOGS") != "" {
			t.Logf("worker %d (last session %d):\n%s", w.cmd.Process.Pid, w.session(), w.logText())
		}
	})
	eventually(t, 30*time.Second, "the worker starts a session", func() bool { return w.session() != 0 })
	return w
}

// read records one line the worker printed.
func (w *worker) read(t *testing.T, line string) {
	kind, arg, _ := strings.Cut(line, " ")
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, event{at: time.Now(), kind: kind, arg: arg})
	if kind != "session" {
		return
	}
	var id int64
	if _, err := fmt.Sscan(arg, &id); err != nil {
		t.Errorf("worker printed %q: %v", line, err)
		return
	}
	if w.sess != 0 {
		fmt.Fprintf(&w.log, "(the test saw session %d replace %d)\n", id, w.sess)
	}
	w.sess = id
}

// session returns the worker's current session.
func (w *worker) session() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sess
}

// since returns the events of kind the worker printed after t.
func (w *worker) since(t time.Time, kind string) []event {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []event
	for _, e := range w.events {
		if e.kind == kind && e.at.After(t) {
			out = append(out, e)
		}
	}
	return out
}

func (w *worker) logText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

// running reports whether the process has not exited.
func (w *worker) running() bool {
	select {
	case <-w.exited:
		return false
	default:
		return true
	}
}

type lockedWriter struct{ w *worker }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.log.Write(p)
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
