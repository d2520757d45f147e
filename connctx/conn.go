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
// LostError naming the current state: connect first (see [WaitReady]). A nil conn ends the
// context at once with a cause matching [ErrInvalid]. WithConn never panics.
//
// Any departure from ready ends the context, even one that comes back before it is seen (a
// blip through connecting): the transport under it changed, so whatever ran on it is gone.
//
// WithConn starts one goroutine, which waits in conn.WaitForStateChange and ends when the
// context ends, whichever side ends it (conn, parent or cancel). The returned cancel ends the
// context with cause [context.Canceled] and returns after that goroutine has ended; calling
// it again does nothing. Call it when done, as with [context.WithCancel].
//
// With gRPC: a channel with no RPC in flight for its idle timeout (30 minutes by default)
// goes from READY to IDLE, which ends the context. Keep a stream open for the lifetime of the
// session (a health Watch does), or dial with grpc.WithIdleTimeout(0) to turn idleness off.
func WithConn[S comparable](parent context.Context, conn Conn[S], ready S) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	if conn == nil {
		cancel(invalid("nil connection"))
		return ctx, func() { cancel(nil) }
	}
	if s := conn.GetState(); s != ready {
		cancel(lost(ready, s))
		return ctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchState(ctx, conn, ready, cancel)
	}()
	// The returned cancel waits for the goroutine, so that a caller that cancelled knows
	// nothing of ours is left running (leak checks, clean-slate restarts).
	return ctx, func() {
		cancel(nil)
		<-done
	}
}

// watchState ends ctx as soon as conn is seen to leave ready, and returns when ctx ends.
// The state is re-read after the wait because WaitForStateChange does not say what it
// changed to.
func watchState[S comparable](ctx context.Context, conn Conn[S], ready S, cancel context.CancelCauseFunc) {
	if conn.WaitForStateChange(ctx, ready) {
		cancel(lost(ready, conn.GetState()))
	}
}

func lost[S comparable](ready, state S) *LostError {
	return &LostError{Ready: fmt.Sprint(ready), State: fmt.Sprint(state)}
}

// WaitReady blocks until conn is in the ready state or ctx ends. It returns nil once conn is
// ready, or an error wrapping ctx's cause. It re-reads the state after every wait, so a lossy
// WaitForStateChange is fine. It starts no goroutine. Use it in a dial function to hand
// [Supervise] a ready connection: for gRPC, call cc.Connect() first, since a new channel stays
// IDLE until asked to connect, and bound ctx, since a channel that keeps failing keeps
// changing state without ever becoming ready.
func WaitReady[S comparable](ctx context.Context, conn Conn[S], ready S) error {
	if conn == nil {
		return invalid("nil connection")
	}
	for {
		s := conn.GetState()
		if s == ready {
			return nil
		}
		if !conn.WaitForStateChange(ctx, s) {
			return fmt.Errorf("connctx: waiting for %v, still %v: %w", ready, s, context.Cause(ctx))
		}
	}
}
