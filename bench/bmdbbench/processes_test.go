package bmdbbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

// The processes benchmark re-executes the test binary as worker processes: TestMain sees
// childEnv ("dsn stage workers") and runs benchChild instead of the benchmarks.
const childEnv = "BMDBBENCH_CHILD"

// runProcesses seeds b.N new machines and times procs worker processes of workers workers
// each, every one a session with the default Source, taking them through Provision with a
// no-op sync, until every outcome has been committed. It reports items/s, and the CPU time the
// worker processes used per item (client-cpu-us/item: user and system, their start and stop
// included; the server's is not). The processes are started, connected and in a session
// before the clock starts.
func runProcesses(b *testing.B, dsn string, procs, workers int) {
	stage := seed(b, dsn)
	children := make([]*child, procs)
	for i := range children {
		children[i] = startChild(b, fmt.Sprintf("%s %s %d", dsn, stage, workers))
	}
	var done atomic.Int64
	all := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	for _, c := range children {
		go c.count(&done, int64(b.N), all)
		_, _ = io.WriteString(c.stdin, "go\n")
	}
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatal("the processes did not finish")
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var cpu time.Duration
	for _, c := range children {
		c.stop(b)
		cpu += c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "client-cpu-us/item")
}

// seed adds b.N machines in a stage of their own and returns the stage.
func seed(b *testing.B, dsn string) string {
	ctx := context.Background()
	db, err := bmdb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	stage := fmt.Sprintf("new-%d", batch.Add(1))
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%08d", stage, i)
	}
	if err := db.AddMachines(ctx, stage, ids...); err != nil {
		b.Fatal(err)
	}
	return stage
}

// child is a worker process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

func startChild(b *testing.B, arg string) *child {
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")}
	c.cmd.Env = append(os.Environ(), childEnv+"="+arg)
	c.cmd.Stderr = os.Stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c.out = bufio.NewScanner(out)
	if !c.out.Scan() || c.out.Text() != "ready" {
		b.Fatalf("a worker process did not get ready: %q", c.out.Text())
	}
	return c
}

// count adds the child's reports of committed outcomes ("done <total>") to done, and closes
// all when done reaches want.
func (c *child) count(done *atomic.Int64, want int64, all chan struct{}) {
	var last int64
	for c.out.Scan() {
		n, err := strconv.ParseInt(strings.TrimPrefix(c.out.Text(), "done "), 10, 64)
		if err != nil {
			continue
		}
		if done.Add(n-last) == want {
			close(all)
		}
		last = n
	}
}

// stop closes the child's stdin, which ends it, and waits for it.
func (c *child) stop(b *testing.B) {
	_ = c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		b.Errorf("a worker process failed: %v", err)
	}
}

// benchChild is one worker process: a session with the default Source of the stage and
// workers workers, started by a "go" line on stdin and stopped when stdin closes. It prints
// "ready" once in its session, and "done <total>" as outcomes are committed (at most every
// two milliseconds).
func benchChild(arg string) int {
	var dsn, stage string
	var workers int
	if _, err := fmt.Sscan(arg, &dsn, &stage, &workers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	db, err := bmdb.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer db.Close()
	sess, err := db.OpenSession(ctx, "bench", bmdb.SessionTTL(time.Minute))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer sess.Close(context.Background())
	src := &counting{Source: sess.Source(bmdb.Process{Name: "provision", From: stage, To: "done"}), want: -1}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	in.Scan() // go
	var wg sync.WaitGroup
	wg.Go(func() { report(ctx, &src.done) })
	go func() { in.Scan(); stop() }() // stdin closed: stop; ends with the process
	noop := reconcile.SyncFunc[bmdb.Lease](func(context.Context, bmdb.Lease) error { return nil })
	err = reconcile.Run(ctx, src, noop, reconcile.WithParallelism(workers))
	wg.Wait()
	if err != nil || src.failed.Load() > 0 {
		fmt.Fprintln(os.Stderr, "run:", err, src.failed.Load(), "reports failed")
		return 1
	}
	return 0
}

// report prints the count of committed outcomes every two milliseconds when it changed.
func report(ctx context.Context, done *atomic.Int64) {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	var last int64
	w := bufio.NewWriter(os.Stdout)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := done.Load(); n != last {
			fmt.Fprintf(w, "done %d\n", n)
			_ = w.Flush()
			last = n
		}
	}
}
