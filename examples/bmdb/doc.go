// Package bmdb rebuilds Monogon's BMDB shepherd on steadfast: control loops that work on
// machines recorded in a database, with N parallel workers per loop, leases tied to
// heartbeated sessions, per-machine backoff stored in the database, fencing, and an audit
// history, in SQLite (one process, pure Go driver) or PostgreSQL (several processes on several
// machines).
//
// The rules:
//
//   - [Open] connects and migrates the schema (machines, sessions, work, backoff, history;
//     versioned, append-only). A bad data source name is an error matching [ErrBadDSN]; a
//     database migrated by a newer program, one matching [ErrSchemaTooNew].
//   - A process joins with [DB.OpenSession] and keeps the session alive with [Session.Run] (or
//     [DB.Serve], which also starts a new session when one is lost),
//     which heartbeats five times per TTL through connctx.WithProbe: two failed heartbeats in a
//     row end the context of the work, with a cause matching [ErrSessionLost], before the
//     session's leases can expire. Session.Run also collects expired sessions and releases
//     their leases ([DB.GC]), the origin's missing cleanup.
//   - A [Process] is a kind of work, due for machines in one stage. [Session.Source] is a
//     reconcile.Source over it, keyed by [Lease]: Get claims due machines in batches (free or
//     expired lease, backoff over; PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer
//     transaction) and hands them out one at a time; Done reports the outcome.
//   - A lease lives as long as its session: a heartbeat renews all of them by updating one row,
//     and when a session expires every lease it held can be taken over.
//   - Every claim bumps the machine's fencing token. Done first checks that the lease is still
//     the session's with the same token, in the transaction that writes the outcome: a worker
//     whose lease was taken over commits nothing and gets [ErrLeaseLost], the origin's missing
//     fence. Work is therefore committed exactly once per machine and stage; the calls to the
//     outside world may repeat (a worker killed after its call and before its commit), so they
//     must be idempotent per machine, as [Provider]'s are.
//   - Failures are read with reconcile.OutcomeOf: an error backs the machine off by the
//     [SourceBackoff] policy (the interval and the cause are stored, so the backoff survives a
//     restart and grows from where it was), a backoff.RetryAfter hint waits exactly that long,
//     a backoff.Permanent error moves the machine to the process's DropTo stage.
//   - Times are Unix milliseconds from the clock of the process that writes them ([WithClock]).
//   - On PostgreSQL, successes reported at the same time by the workers of a Source are
//     committed together in one statement (a group commit); each keeps its own fence.
//   - [RunLoops] runs several loops in one session with reconcile.Run's parallelism and a
//     shared rate limit; [Loops] and [Provider] are the demo's loops and simulated provider.
//
// The package logs only through the logger given to [SessionLogger].
package bmdb
