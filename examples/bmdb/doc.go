// Package bmdb rebuilds Monogon's BMDB shepherd on steadfast: control loops that work on
// machines recorded in a database, with N parallel workers per loop, leases tied to
// heartbeated sessions, per-machine backoff stored in the database, fencing, idempotency
// keys, and an audit history, in SQLite (one process, pure Go driver) or PostgreSQL (several
// processes on several machines).
//
// The rules:
//
//   - [Open] connects and migrates the schema (machines, sessions, work, backoff, history;
//     versioned, append-only). A bad data source name is an error matching [ErrBadDSN]; a
//     database migrated by a newer program, one matching [ErrSchemaTooNew].
//   - A process joins with [DB.OpenSession] and keeps the session alive with [Session.Run],
//     which heartbeats five times per TTL through connctx.WithProbe: two failed heartbeats in a
//     row end the context of the work, with a cause matching [ErrSessionLost], before the
//     session's leases can expire. Session.Run also collects expired sessions and releases
//     their leases ([DB.GC]), the origin's missing cleanup.
//   - An expired session seen anywhere (a heartbeat, a claim) means "session lost": the
//     session's context ends at once with a cause matching [ErrSessionLost] and
//     [ErrSessionExpired]; it never stops the process. [DB.Serve] runs sessions as lifetimes
//     on connctx.Supervise: it opens one, retrying under a policy that never gives up by
//     default ([ServeOpenPolicy]), runs the work in it, and when the session is lost tears it
//     down (cancel, wait for the work and the collection, close the session) and opens the
//     next after a backoff; [ServeHooks] and the logger report every step.
//   - Connection-class errors are transient everywhere ([Transient]: refused, reset, an
//     unexpected end, SQLSTATE 08xxx, 57P01-57P03, lock, statement and idle timeouts,
//     deadlocks): claims retry them until the session ends, reports for up to a TTL, session
//     opens under the open policy. A process rides out a restart or an outage of the database.
//   - No peer, frozen or gone, can stop the others: on PostgreSQL every connection bounds its
//     waits from the TTL ([WithTTL]: lock_timeout a tenth, statement_timeout and
//     idle_in_transaction_session_timeout a quarter), every call has a deadline, claims and
//     [DB.GC] pass over rows another transaction holds locked, and no advisory lock is taken
//     outside migrations.
//   - A [Process] is a kind of work, due for machines in one stage. [Session.Source] is a
//     reconcile.Source over it, keyed by [Lease]: Get claims due machines in batches (free or
//     expired lease, backoff over; PostgreSQL: one statement, FOR UPDATE SKIP LOCKED; SQLite:
//     one writer transaction) and hands them out one at a time; Done reports the outcome.
//     A batch follows the number of workers (twice as many, 16 to 256) and the next claim
//     runs while they work. [SourceQueryLimit] bounds the rate of claims, the queries that
//     load the database, as the origin's DBQueryLimiter does.
//   - A lease lives as long as its session: a heartbeat renews all of them by updating one row,
//     and when a session expires every lease it held can be taken over.
//   - Every claim bumps the machine's fencing token. Done first checks that the lease is still
//     the session's with the same token, in the transaction that writes the outcome: a worker
//     whose lease was taken over commits nothing and gets [ErrLeaseLost], the origin's missing
//     fence. Work is therefore committed exactly once per machine and stage.
//   - The calls to the outside world may repeat (a worker frozen or killed after its call and
//     before its commit): each lease carries the work's idempotency key ([Lease.Key]), which a
//     takeover or a retry keeps and only a done or dropped outcome retires, so that the outside
//     world can recognise the repeat, as [Provider] does with it as a request id.
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
