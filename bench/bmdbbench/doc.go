// Package bmdbbench measures the throughput of examples/bmdb's leased work source under
// reconcile.Run with no-op work: on one local PostgreSQL (started by the benchmark from the
// Debian package's binaries, as the tests do) against River (riverqueue/river with riverpgxv5)
// on the same database, 16 workers against one, 3 worker processes against one, and embedded
// SQLite in one process. Every steadfast side runs the Source with its default options (no
// batch or poll set), so both sides of each ratio have the same options; River runs at its
// fastest fetch (the anchor) and, beside it, at its defaults. Each reports items/s.
package bmdbbench
