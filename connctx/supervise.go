package connctx

import (
	"context"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
)

// DialFunc opens a connection. It should return one that is ready to use (see [WaitReady]).
// An error is retried under the dial policy, except a [backoff.Permanent] one, which ends
// [Supervise]; a [backoff.RetryAfter] hint is honoured. A connection returned together with
// an error is closed at once (a nil or zero one is not). A nil connection (a typed nil too)
// with a nil error is a failed attempt, with an error matching [ErrInvalid], retried like any
// other.
type DialFunc[C io.Closer] func(ctx context.Context) (C, error)

// LifetimeFunc derives the lifetime context of a connection: a context that ends when the
// connection is lost. A closure over [WithConn] or [WithProbe] is one; so is [StateLifetime].
// An error (an invalid probe option) ends [Supervise] with that error.
type LifetimeFunc[C io.Closer] func(ctx context.Context, conn C) (context.Context, context.CancelFunc, error)

// SessionFunc is the work done on one connection. ctx ends when the connection is lost, when
// a goroutine started with g returns an error, or when Supervise's context ends; the session
// must then return. Every goroutine it needs it starts with g.Go, so that the supervisor can
// wait for them; it must not keep conn or ctx after it returns.
//
// Whatever it returns ends the session, which is then restarted from a clean slate; a
// [backoff.Permanent] error ends [Supervise] with the error inside it. A panic in it is torn
// down like a return and then goes on to Supervise's caller; a panic in a goroutine it started
// with g ends the program (errgroup does not recover it), so recover inside the goroutine if
// that is not wanted.
type SessionFunc[C io.Closer] func(ctx context.Context, conn C, g *errgroup.Group) error

// StateLifetime returns a [LifetimeFunc] that uses [WithConn] with the given ready state, for
// connections with a state API: StateLifetime[*grpc.ClientConn](connectivity.Ready).
func StateLifetime[C interface {
	io.Closer
	Conn[S]
}, S comparable](ready S) LifetimeFunc[C] {
	return func(ctx context.Context, conn C) (context.Context, context.CancelFunc, error) {
		ctx, cancel := WithConn[S](ctx, conn, ready)
		return ctx, cancel, nil
	}
}

// Supervise keeps a session running on a connection, and starts over from a clean slate
// whenever the connection is lost or the session ends. Each round:
//
//  1. dial, retrying under [WithDialPolicy] ([Hooks.OnDialError] hears each failure);
//  2. derive the connection's lifetime context with lifetime ([Hooks.OnConnected] is then called);
//  3. run session with a context that ends with the lifetime context, and a group for the
//     goroutines it starts;
//  4. when session returns or its context ends: cancel the context, wait for the session and
//     every goroutine it started, close the connection ([Hooks.OnLost] is then called with the cause,
//     which is the loss if the lifetime context ended, up to 100 ms after the session did);
//  5. wait under [WithRestartPolicy], which grows while sessions last less than [WithHealthyAfter]
//     and resets after one that lasted longer, and go back to 1.
//
// Supervise blocks until ctx ends, when it returns nil (as watch's and reconcile's Run do), or
// until it gives up: the dial budget or the restart budget is spent (a [*backoff.ExhaustedError]), a
// dial or session returned a [backoff.Permanent] error (the error inside it), or lifetime
// returned an error. Nothing it started is running when it returns, and no connection it
// dialled is left open, also when a function it was given panics: the panic then goes on to
// Supervise's caller after the teardown (see the package doc). Bad input (a nil context or
// function, an option out of range) is an error matching [ErrInvalid], returned before
// anything is dialled; Supervise never panics on it.
func Supervise[C io.Closer](ctx context.Context, dial DialFunc[C], lifetime LifetimeFunc[C],
	session SessionFunc[C], opts ...Option) error {
	o, err := newOptions(opts)
	switch {
	case err != nil:
		return err
	case isNil(ctx):
		return invalid("nil context")
	case dial == nil:
		return invalid("nil dial function")
	case lifetime == nil:
		return invalid("nil lifetime function")
	case session == nil:
		return invalid("nil session function")
	}
	restarts, err := backoff.NewSchedule(o.restart)
	if err != nil { // validated in newOptions; kept so that no path can panic
		return err
	}
	sv := &supervisor[C]{dial: dial, lifetime: lifetime, session: session, o: o, restarts: restarts, start: time.Now()}
	return sv.run(ctx)
}

// supervisor is the state of one Supervise call; it is used by one goroutine.
type supervisor[C io.Closer] struct {
	dial     DialFunc[C]
	lifetime LifetimeFunc[C]
	session  SessionFunc[C]
	o        options
	restarts *backoff.Schedule
	start    time.Time
	sessions int
}

func (sv *supervisor[C]) run(ctx context.Context) error {
	for {
		conn, err := sv.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // ctx ended while dialling: not a failure
			}
			return err
		}
		end := sv.runSession(ctx, conn)
		if end.stop != nil || ctx.Err() != nil {
			return sv.finish(end)
		}
		delay, err := sv.nextDelay(end)
		sv.lost(end, delay)
		if err != nil {
			return err
		}
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
}

// connect dials under the dial policy. When ctx ends first it returns ctx's cause.
func (sv *supervisor[C]) connect(ctx context.Context) (C, error) {
	var ropts []backoff.Option
	if sv.o.hooks.OnDialError != nil {
		ropts = append(ropts, backoff.WithHooks(backoff.Hooks{OnRetry: sv.o.hooks.OnDialError}))
	}
	if sv.o.dialTimeout > 0 {
		ropts = append(ropts, backoff.WithAttemptTimeout(sv.o.dialTimeout))
	}
	conn, err := backoff.RetryValue(ctx, sv.o.dial, sv.dialOnce, ropts...)
	if err == nil && ctx.Err() != nil {
		_ = conn.Close() // dialled just as ctx ended: nobody will use it
	}
	if ctx.Err() != nil {
		var zero C
		return zero, context.Cause(ctx)
	}
	return conn, err
}

// dialOnce is one dial attempt. Supervise owns what dial returns: a connection that came with
// an error is closed here, since nobody else will.
func (sv *supervisor[C]) dialOnce(ctx context.Context) (C, error) {
	conn, err := sv.dial(ctx)
	var zero C
	switch {
	case err != nil && !isZero(conn):
		_ = conn.Close()
		return zero, err
	case err == nil && isNil(conn):
		return zero, errNilConn
	}
	return conn, err
}

// nextDelay is the pure step between sessions: reset the restart schedule after a healthy
// session, then take its next delay, or give up when its budget is spent.
func (sv *supervisor[C]) nextDelay(end sessionEnd) (time.Duration, error) {
	if end.uptime >= sv.o.healthyAfter {
		sv.restarts.Reset()
	}
	delay, ok := sv.restarts.Next()
	if !ok {
		return 0, &backoff.ExhaustedError{Reason: sv.restarts.Reason(), Last: end.cause,
			Attempts: sv.sessions, Elapsed: time.Since(sv.start)}
	}
	return delay, nil
}

// finish reports the last session, if one ran, and returns what Supervise returns.
func (sv *supervisor[C]) finish(end sessionEnd) error {
	if end.ran {
		sv.lost(end, 0)
	}
	return end.stop // nil when ctx ended
}

func (sv *supervisor[C]) lost(end sessionEnd, delay time.Duration) {
	if sv.o.hooks.OnLost != nil {
		sv.o.hooks.OnLost(Lost{Session: sv.sessions, Cause: end.cause, Uptime: end.uptime, Delay: delay})
	}
}
