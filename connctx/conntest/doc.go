// Package conntest holds fakes for testing code built on connctx: a [Conn] whose state the
// test drives, a [Probe] that fails on command, a [Dialer] that fails a given number of
// times, then hands out fresh connections, counting dials and closes, and a [Lock], a lease
// store that several connctx.Leaders share, which fails or hangs on command. They are what
// connctx's own tests use.
//
// The rules:
//
//   - Every fake is safe for concurrent use and works under testing/synctest: waiting is done
//     on channels and contexts only, never on the wall clock, so a goroutine blocked in a fake
//     is durably blocked and synctest.Wait returns.
//   - [Conn] behaves like *grpc.ClientConn where connctx looks: WaitForStateChange reports that
//     the state changed, not into what, and a change made and undone before it is called goes
//     unseen (gRPC's API is lossy the same way). Close moves it to [Shutdown] for good.
//   - [Lock] keeps time with time.Now, so under testing/synctest its leases expire on the fake
//     clock: a test advances time by waiting, not by setting a clock.
//   - The zero value of each fake is not ready to use; make them with [NewConn], [NewProbe],
//     [NewDialer] and [NewLock].
//   - The package imports nothing beyond the library's own dependencies, so a user's tests can
//     use it without inheriting anything.
package conntest
