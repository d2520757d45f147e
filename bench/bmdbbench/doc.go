// Package bmdbbench measures the throughput of examples/bmdb's leased work source under
// reconcile.Run with no-op work: on one local PostgreSQL (started by the benchmark from the
// Debian package's binaries, as the tests do) against River (riverqueue/river with riverpgxv5)
// on the same database, 16 workers against one, 3 worker processes against one, and embedded
// SQLite in one process, all with the Source's default options. Each reports items/s.
package bmdbbench
