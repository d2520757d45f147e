package bmdbbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
	"github.com/steadfast-go/steadfast/reconcile"
)

// server is one PostgreSQL server for the whole run, with one database that both steadfast
// and River use.
var server struct {
	once sync.Once
	srv  *bmdbtest.Postgres
	dsn  string
	err  error
}

func TestMain(m *testing.M) {
	if arg := os.Getenv(childEnv); arg != "" {
		os.Exit(benchChild(arg))
	}
	code := m.Run()
	if server.srv != nil {
		server.srv.Stop()
	}
	os.Exit(code)
}

// postgres returns the URL of the shared database, skipping the benchmark if PostgreSQL is not
// installed (unless STEADFAST_REQUIRE_SERVERS=1).
func postgres(b *testing.B) string {
	b.Helper()
	server.once.Do(func() {
		server.srv, server.err = bmdbtest.Start(context.Background())
		if server.err == nil {
			server.dsn, server.err = server.srv.CreateDatabase(context.Background())
		}
	})
	if server.err == bmdbtest.ErrNoPostgres && os.Getenv("STEADFAST_REQUIRE_SERVERS") != "1" {
		b.Skip(server.err.Error())
	}
	if server.err != nil {
		b.Fatal(server.err)
	}
	return server.dsn
}

// sqliteDSN is a fresh SQLite file for the benchmark.
func sqliteDSN(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.sqlite") }

// batch numbers the machines of each run, so that runs never see each other's machines.
var batch atomic.Int64

// runSteadfast seeds b.N new machines and times workers workers taking them through
// Provision with a no-op sync, until every outcome has been committed. It reports items/s.
func runSteadfast(b *testing.B, dsn string, workers int) {
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
	sess, err := db.OpenSession(ctx, "bench", bmdb.SessionTTL(time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close(ctx)
	proc := bmdb.Process{Name: "provision", From: stage, To: "done"}
	src := &counting{Source: sess.Source(proc),
		want: int64(b.N), all: make(chan struct{})}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	noop := reconcile.SyncFunc[bmdb.Lease](func(context.Context, bmdb.Lease) error { return nil })

	b.ResetTimer()
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- reconcile.Run(runCtx, src, noop, reconcile.WithParallelism(workers)) }()
	select {
	case <-src.all:
	case err := <-errc:
		b.Fatalf("run ended early: %v", err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	if n := src.failed.Load(); n > 0 {
		b.Fatalf("%d reports failed", n)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "items/s")
}

// counting is a Source that counts the outcomes committed, and closes all (if not nil) once
// want were.
type counting struct {
	*bmdb.Source
	want         int64
	done, failed atomic.Int64
	all          chan struct{}
}

func (c *counting) Done(ctx context.Context, l bmdb.Lease, o reconcile.Outcome) error {
	err := c.Source.Done(ctx, l, o)
	if err != nil {
		c.failed.Add(1)
	}
	if c.done.Add(1) == c.want && c.all != nil {
		close(c.all)
	}
	return err
}
