package connctx

import (
	"context"
	"fmt"
)

// Conn is a connection with a state API: *grpc.ClientConn satisfies Conn[connectivity.State].
//
// GetState returns the current state. WaitForStateChange blocks until the state differs from
// s or ctx ends, and reports whether it changed (false: ctx ended). Both must be safe for
// concurrent use. Like gRPC's, WaitForStateChange may be lossy: it tells that the state
// changed, not into what, and a change back and forth before it is called may go unseen.
type Conn[S comparable] interface {
	GetState() S
	WaitForStateChange(ctx context.Context, s S) bool
}

// WithConn returns a copy of parent that ends when conn leaves the ready state, with a cause
// ([context.Cause]) that is a [*LostError] matching [ErrConnLost] and naming the state it left
// for. If conn is not ready when WithConn is called, the context is already ended, with a
// LostError naming the current state: connect first (see [WaitReady]). A nil conn (a typed nil
// too, such as a nil *grpc.ClientConn) or a nil parent ends the context at once with a cause
// matching [ErrInvalid]. WithConn never panics.
//
// Any departure from ready ends the context, even one that comes back before it is seen (a
// blip through connecting): the transport under it changed, so whatever ran on it is gone. A
// WaitForStateChange that returns false while its context is alive breaks the contract of
// [Conn] and leaves nothing to watch with: that ends the context too, with a LostError that
// says so.
//
// WithConn starts one goroutine, which waits in conn.WaitForStateChange and ends when the
// context ends, whichever side ends it (conn, parent or cancel). The returned cancel ends the
// context with cause [context.Canceled] and returns after that goroutine has ended; calling
// it again does nothing. Call it when done, as with [context.WithCancel].
//
// A panic in conn's GetState or WaitForStateChange, in WithConn or on its goroutine, is not
// lost and does not crash the program from there: it ends the context, with a cause that
// names it, and the returned cancel raises it again, with the same value, the first time it
// is called (Supervise calls it while it tears the session down, so the panic reaches
// Supervise's caller).
//
// With gRPC: a channel with no RPC in flight for its idle timeout (30 minutes by default)
// goes from READY to IDLE, which ends the context. Keep a stream open for the lifetime of the
// session (a health Watch does), or dial with grpc.WithIdleTimeout(0) to turn idleness off.
func WithConn[S comparable](parent context.Context, conn Conn[S], ready S) (context.Context, context.CancelFunc) {
	ctx, cancel, err := newCancelCause(parent)
	if err == nil && isNil(conn) {
		err = invalid("nil connection")
	}
	var p *panicError
	var s S
	if err == nil {
		guard(&p, cancel, "GetState", func() { s = conn.GetState() })
	}
	switch {
	case err != nil:
		cancel(err)
	case p != nil: // guard ended the context
	case s != ready:
		cancel(lost(ready, s))
	default:
		// The returned cancel waits for the goroutine, so that a caller that cancelled knows
		// nothing of ours is left running (leak checks, clean-slate restarts).
		return ctx, watch(cancel, "the connection's state API", func() { watchState(ctx, conn, ready, cancel) })
	}
	return ctx, stopFunc(cancel, nil, &p)
}

// watchState ends ctx as soon as conn is seen to leave ready, and returns when ctx ends.
// The state is re-read after the wait because WaitForStateChange does not say what it
// changed to.
func watchState[S comparable](ctx context.Context, conn Conn[S], ready S, cancel context.CancelCauseFunc) {
	changed := conn.WaitForStateChange(ctx, ready)
	switch {
	case changed:
		cancel(lost(ready, conn.GetState()))
	case ctx.Err() == nil: // a broken conn: returning now would leave the context unwatched
		l := lost(ready, conn.GetState())
		l.Err = errBrokenWait
		cancel(l)
	}
}

func lost[S comparable](ready, state S) *LostError {
	return &LostError{Ready: fmt.Sprint(ready), State: fmt.Sprint(state)}
}

// WaitReady blocks until conn is in the ready state or ctx ends. It returns nil once conn is
// ready, or an error wrapping ctx's cause. It re-reads the state after every wait, so a lossy
// WaitForStateChange is fine; one that returns false while ctx is alive is an error. It starts
// no goroutine, and a panic in conn's methods goes on to its caller unchanged. A nil conn or
// ctx is an error matching [ErrInvalid]. Use it in a dial function to hand [Supervise] a ready
// connection: for gRPC, call cc.Connect() first, since a new channel stays IDLE until asked to
// connect, and bound ctx, since a channel that keeps failing keeps changing state without
// ever becoming ready.
func WaitReady[S comparable](ctx context.Context, conn Conn[S], ready S) error {
	switch {
	case isNil(ctx):
		return invalid("nil context")
	case isNil(conn):
		return invalid("nil connection")
	}
	for {
		s := conn.GetState()
		switch {
		case s == ready:
			return nil
		case ctx.Err() != nil: // checked here too, for a WaitForStateChange that ignores ctx
			return fmt.Errorf("connctx: waiting for %v, still %v: %w", ready, s, context.Cause(ctx))
		case !conn.WaitForStateChange(ctx, s) && ctx.Err() == nil:
			return fmt.Errorf("connctx: waiting for %v, still %v: %w", ready, s, errBrokenWait)
		}
	}
}
