package connctx

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
)

// sessionEnd is how one session ended.
type sessionEnd struct {
	cause  error         // why it ended
	uptime time.Duration // how long it ran
	stop   error         // non-nil: Supervise returns it
	ran    bool          // the session function was called
}

// lossGrace is how long a session that ended on its own (it returned, or one of its
// goroutines failed) waits for its lifetime to end before its cause is chosen: the session's
// RPC often fails a moment before the connection's state says so, and then the loss, not the
// RPC's error, is why it ended.
const lossGrace = 100 * time.Millisecond

// errSessionPanicked is the cause a session's goroutines see when the session function
// panicked or called runtime.Goexit.
var errSessionPanicked = errors.New("connctx: session panicked")

// runSession runs one session on conn and tears it down in order: cancel, wait for the session
// and its goroutines, cancel the lifetime, close the connection. It always closes conn, and
// the teardown is deferred, so it runs when code of the caller's panics too.
func (sv *supervisor[C]) runSession(ctx context.Context, conn C) sessionEnd {
	defer func() { _ = conn.Close() }() // the session is over; a close error changes nothing for the next one
	lctx, lcancel, err := sv.lifetime(ctx, conn)
	if lcancel != nil {
		defer lcancel()
	}
	if err == nil && isNil(lctx) {
		err = invalid("lifetime returned a nil context")
	}
	if err != nil {
		return sessionEnd{stop: fmt.Errorf("connctx: lifetime: %w", err)}
	}
	sv.sessions++
	if sv.o.hooks.OnConnected != nil {
		sv.o.hooks.OnConnected(Connected{Session: sv.sessions})
	}
	return sv.runOn(ctx, lctx, conn)
}

// runOn runs the session function with a context that ends with lifetime or ctx, and waits for
// it and its goroutines.
func (sv *supervisor[C]) runOn(ctx, lifetime context.Context, conn C) sessionEnd {
	start := time.Now()
	sctx, scancel := context.WithCancelCause(lifetime)
	defer endWith(ctx, scancel)()
	g, gctx := errgroup.WithContext(sctx)
	// After a normal end, both calls do nothing; after a panic, they are its teardown.
	defer func() {
		scancel(errSessionPanicked)
		_ = g.Wait()
	}()
	serr := sv.session(gctx, conn, g)
	end := sessionEnd{uptime: time.Since(start), ran: true}
	end.cause = sessionCause(ctx, lifetime, gctx, serr)
	scancel(end.cause)
	gerr := g.Wait()
	end.stop = permanent(serr, gerr)
	return end
}

// sessionCause tells why a session ended: its connection was lost (or Supervise's context
// ended), else a goroutine failed, else the session returned on its own. A session that ended
// on its own first waits up to lossGrace for its lifetime to end.
func sessionCause(ctx, lifetime, group context.Context, serr error) error {
	if lifetime.Err() == nil && ctx.Err() == nil {
		t := time.NewTimer(lossGrace)
		select {
		case <-lifetime.Done():
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	switch {
	case lifetime.Err() != nil:
		return context.Cause(lifetime)
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case group.Err() != nil:
		return context.Cause(group)
	case serr != nil:
		return serr
	default:
		return ErrSessionEnded
	}
}

// endWith makes ctx's end cancel with ctx's cause, for a lifetime that does not derive from
// Supervise's context, and returns the function that undoes it, which returns once nothing
// of it is running.
func endWith(ctx context.Context, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	after := context.AfterFunc(ctx, func() {
		defer close(done)
		cancel(context.Cause(ctx))
	})
	return func() {
		if !after() {
			<-done
		}
	}
}

// permanent returns the error inside the first [backoff.Permanent] among errs, or nil.
func permanent(errs ...error) error {
	for _, err := range errs {
		if inner, ok := backoff.IsPermanent(err); ok {
			if inner == nil {
				inner = errors.New("connctx: permanent error")
			}
			return inner
		}
	}
	return nil
}
