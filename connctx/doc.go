// Package connctx ties contexts to connections: a context that ends when its connection is
// lost, a supervisor that runs a session on a connection and starts over from a clean slate
// when it is lost, and a leader that runs a session only while it holds a lease, on the same
// supervisor: leadership is a lifetime, like a connection's.
//
// The rules:
//
//   - [WithConn] watches a connection with a state API (*grpc.ClientConn with
//     connectivity.Ready fits [Conn]; this package imports no gRPC). [WithProbe] watches one
//     without, by probing it. Both return a context whose cause ([context.Cause]) is a
//     [*LostError] matching [ErrConnLost] when the connection is lost, and the parent's cause
//     when the parent ends first.
//   - WithConn ends the context on any departure from the ready state, including a blip that
//     was over before it was seen, and at once if the connection is not ready when it is
//     called: it does not wait for ready, because a context that promises "the connection is
//     up" should not start out with the connection down. Wait first with [WaitReady]. A
//     WaitForStateChange that returns false while its context is alive leaves nothing to
//     watch with, so it ends the context too.
//   - WithConn and WithProbe each start one goroutine, which ends when their context ends,
//     whichever side ends it. Their cancel functions return after that goroutine has ended.
//   - [Supervise] blocks, and returns nil when its context ends (as watch.Watcher.Run and
//     reconcile.Run do); the caller owns its goroutine. Per connection it dials (retrying with
//     a [backoff.Policy]), derives the lifetime context, runs the session, and on loss or when
//     the session returns tears down in this order: cancel the session's context, wait for the
//     session and every goroutine it started with its errgroup, close the connection, wait
//     under the restart backoff, dial again. Nothing from one session is alive in the next.
//   - When the connection was lost, the loss is the cause, whichever goroutine noticed first:
//     a session that ends on its own (it returns, or a goroutine of its errgroup fails) while
//     its lifetime context is alive waits up to 100 ms for that context to end before the
//     cause is chosen, so an RPC that failed a moment before the connection's state changed
//     does not hide the loss. The session's context ends with that cause and [Hooks.OnLost] reports
//     it; only when a goroutine's error ended the context first do the goroutines see that
//     error there (errgroup sets it).
//   - The restart backoff grows while sessions last less than [WithHealthyAfter] and starts again
//     from its initial delay only after a session lasted longer, so a flapping peer is not
//     hammered.
//   - Connections are io.Closer: Supervise closes each one it dialled exactly once, and never
//     while a session goroutine may still use it. A connection a dial returned together with
//     an error is closed at once; a dial that returns neither a connection nor an error has
//     failed, and is retried.
//   - Outcomes use package backoff's vocabulary: a [backoff.Permanent] error from dial or from a
//     session stops Supervise with the error inside; a [backoff.RetryAfter] hint from dial is
//     honoured; a spent budget is a [*backoff.ExhaustedError].
//   - Bad input (a nil context, connection, probe or function, a typed nil such as a nil
//     *grpc.ClientConn, an option out of range) is an error matching [ErrInvalid], never a
//     panic; a nil option or hook is absent. Nothing in this package panics of its own.
//   - A panic in code handed to this package is passed on with its value unchanged, after the
//     teardown of what it had opened. In a dial, lifetime, session or hook, which run on
//     Supervise's goroutine: the session's context is cancelled, its goroutines waited for,
//     its lifetime cancelled and its connection closed, then the panic goes on to Supervise's
//     caller (OnLost is not called). In a [Probe] or a [Conn]'s methods, which run on the
//     goroutine of WithConn or WithProbe: the context ends, with a cause naming the panic, and
//     the cancel function raises it again the first time it is called (Supervise calls it in
//     its teardown). A runtime.Goexit is treated alike, minus the raising again. A panic in a
//     goroutine the session started with its errgroup is not recovered, by errgroup or here:
//     like any goroutine's panic it ends the program, so recover inside it if that is not
//     wanted.
//   - The package does not log: the [Hooks] given to Supervise with [WithHooks] report what happened.
//
// # Leadership
//
// A [Leader] runs a session only while it holds a lease of a [Lock], on Supervise: acquiring
// is dialling, renewing is the lifetime, releasing is closing. The lock is the store's three
// writes; everything else is the Leader's. The rules:
//
//   - [Leader.Run] blocks, and returns nil when its context ends; it gives up as Supervise
//     does (a [backoff.Permanent] error from Acquire or the session, a spent budget). The
//     Options of Supervise are [LeaseOption]s too, with the lease's meaning; a lease held by
//     another is a failed acquire attempt, a [*HeldError] matching [ErrLeaseHeld], retried
//     every renew interval by default.
//   - The session's context ends, with a [*LeaseLostError] matching [ErrLeaseLost] as its
//     cause, as soon as a renewal returns another holder (or none) or a Permanent error, and
//     at the lease's deadline if no renewal succeeded before it, even while a Renew call
//     hangs. A renewal that returns after the deadline does not revive the lease.
//   - The session's context carries the lease's deadline: the start of the last successful
//     acquire or renewal plus [WithRenewDeadline], on the monotonic clock (or the parent's
//     deadline, if sooner). It moves later with each renewal. The lock lets another take the
//     lease only after [WithLeaseDuration], which is longer, so the holder's deadline passes
//     before anyone else can hold the lease, while clocks run at the same rate.
//   - A process frozen past its deadline (SIGSTOP, a paused VM) and thawed cannot start a
//     call on the stale lease: the session context's Err reads the clock and ends the lease
//     at once, before the watchdog's timer runs, and any call that reads the deadline of a
//     context derived from it (a dial, a gRPC call, pgx) fails at once. Code that reads
//     neither (net/http's Transport on a kept-alive connection) should check ctx.Err() or
//     the deadline before each call. A call already on its way when the process froze is
//     beyond any lease: pass the fencing token ([Holder]) to the system it changes. The
//     monotonic clock does not run while a machine is suspended, which the token covers too.
//   - Renewals run every [WithRenewInterval], shortened at random by up to a fifth, each
//     with a context that ends at the lease's deadline. A failed renewal is retried at the
//     same pace until the deadline.
//   - When a term ends (the session returned, its context ended, Run's context ended) the
//     teardown is Supervise's, in order: cancel the session's context, wait for the session
//     and its goroutines, then release the lease, bounded by the renew deadline, unless a
//     renewal found it taken. The next acquire comes after the restart backoff.
//   - The session is not called when the lease's deadline passed before it could start (an
//     acquire that took longer than the renew deadline); the lease is released.
//   - Bad input (a nil lock, session or context, durations not in the order lease duration >
//     renew deadline > renew interval > 0, an empty identity, a Supervise option out of
//     range) is an error matching [ErrInvalid], as is a second Run of a Leader while one
//     runs. [Leader.Status] reports the state, the holder last seen and the lease's times
//     without blocking on the lock.
//   - A panic in Acquire or Release passes on as a dial's or a close's does; a panic in Renew,
//     which runs on a goroutine of the Leader's, is passed on like a [Probe]'s: the session's
//     context ends, and Run raises it again after the teardown.
//
// With gRPC: dial with grpc.NewClient, call Connect, and [WaitReady] under a timeout; leave
// reconnecting to Supervise (a new session on a new channel), not to the channel's own
// backoff. A channel with no RPC in flight for its idle timeout (30 minutes by default) goes
// IDLE, which WithConn reports as a loss: keep a stream open during the session or dial with
// grpc.WithIdleTimeout(0). A peer that stops answering without closing the connection (a
// frozen host, a dropped route) is only seen through keepalive: set
// keepalive.ClientParameters (gRPC raises Time to at least 10 s) and make the server's
// keepalive.EnforcementPolicy accept it, or the server closes the connection for pinging too
// often.
package connctx
