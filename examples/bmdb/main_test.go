package bmdb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
)

// TestMain runs a crash-test worker when the crash test re-executes this binary as one, and
// otherwise the tests, stopping the shared PostgreSQL server and checking for leaked
// goroutines at the end.
func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		os.Exit(crashWorker())
	}
	code := m.Run()
	for _, srv := range []*bmdbtest.Postgres{shared.srv, faulty.srv} {
		if srv != nil {
			srv.Stop()
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// shared is one PostgreSQL server for every test of the package, started by the first that
// needs it; each test gets a database of its own.
var shared struct {
	once sync.Once
	srv  *bmdbtest.Postgres
	err  error
}

func postgresServer(t *testing.T) *bmdbtest.Postgres {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = bmdbtest.Start(context.Background()) })
	if errors.Is(shared.err, bmdbtest.ErrNoPostgres) && os.Getenv("STEADFAST_REQUIRE_SERVERS") != "1" {
		t.Skip(shared.err.Error())
	}
	require.NoError(t, shared.err)
	return shared.srv
}

// dialect makes fresh databases of one kind for a test.
type dialect struct {
	name   string
	newDSN func(t *testing.T) string
}

func dialects() []dialect {
	return []dialect{
		{name: "sqlite", newDSN: func(t *testing.T) string { return filepath.Join(t.TempDir(), "bmdb.sqlite") }},
		{name: "postgres", newDSN: func(t *testing.T) string { return postgresServer(t).NewDatabase(t) }},
	}
}

// forEachDialect runs test once per database, as subtests.
func forEachDialect(t *testing.T, test func(t *testing.T, d dialect)) {
	for _, d := range dialects() {
		t.Run(d.name, func(t *testing.T) { test(t, d) })
	}
}

// open opens dsn and closes it when the test ends.
func open(t *testing.T, dsn string, opts ...bmdb.OpenOption) *bmdb.DB {
	t.Helper()
	db, err := bmdb.Open(context.Background(), dsn, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// session opens a session that is closed when the test ends.
func session(t *testing.T, db *bmdb.DB, ttl time.Duration) *bmdb.Session {
	t.Helper()
	s, err := db.OpenSession(context.Background(), t.Name(), bmdb.SessionTTL(ttl))
	require.NoError(t, err)
	return s
}

// machines returns ids m00..m(n-1).
func machines(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%02d", i)
	}
	return ids
}

// getWithin calls src.Get with a deadline of d: a machine that is not due makes it fail.
func getWithin(src *bmdb.Source, d time.Duration) (bmdb.Lease, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return src.Get(ctx)
}

// notDue is how long a test waits for a Get to show that nothing is due.
const notDue = 150 * time.Millisecond

// epoch is where the tests' clocks start.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
