package bmdbbench

import (
	"testing"

	"github.com/riverqueue/river"
)

// BenchmarkPostgres16Workers is no-op work on one local PostgreSQL with 16 workers: one op is
// one item claimed, synced and committed (steadfast: a bmdb lease, reported under its fencing
// check with history; River: a job fetched, worked and marked completed). items/s is the
// throughput. Both run on the same database, in the same process. steadfast is the Source
// with its defaults; the anchor, river, is River at its fastest fetch (FetchCooldown at its
// 1 ms minimum, the strongest River), and river-defaults, beside it, River as configured by
// default (a 100 ms FetchCooldown).
func BenchmarkPostgres16Workers(b *testing.B) {
	dsn := postgres(b)
	b.Run("steadfast", func(b *testing.B) { runSteadfast(b, dsn, 16) })
	b.Run("river", func(b *testing.B) { runRiver(b, dsn, 16, river.FetchCooldownMin) })
	b.Run("river-defaults", func(b *testing.B) { runRiver(b, dsn, 16, 0) })
}

// BenchmarkPostgresWorkers is the same no-op work with 16 workers (steadfast) against one
// worker (the anchor): how far the source scales with parallelism on one database.
func BenchmarkPostgresWorkers(b *testing.B) {
	dsn := postgres(b)
	b.Run("steadfast", func(b *testing.B) { runSteadfast(b, dsn, 16) })
	b.Run("one-worker", func(b *testing.B) { runSteadfast(b, dsn, 1) })
}

// BenchmarkPostgresProcesses is the same no-op work in 3 worker processes of 8 workers each
// (steadfast) against one process of 8 (the anchor): how far the work scales out over
// processes sharing one database, each with its own session, claims and group commits.
func BenchmarkPostgresProcesses(b *testing.B) {
	dsn := postgres(b)
	b.Run("steadfast", func(b *testing.B) { runProcesses(b, dsn, 3, 8) })
	b.Run("one-process", func(b *testing.B) { runProcesses(b, dsn, 1, 8) })
}

// BenchmarkSQLite is the no-op work on embedded SQLite in one process with 16 workers.
func BenchmarkSQLite(b *testing.B) {
	b.Run("16-workers", func(b *testing.B) { runSteadfast(b, sqliteDSN(b), 16) })
}
