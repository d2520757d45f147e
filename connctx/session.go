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

// runSession runs one session on conn and tears it down in order: cancel, wait for the session
// and its goroutines, cancel the lifetime, close the connection. It always closes conn.
func (sv *supervisor[C]) runSession(ctx context.Context, conn C) sessionEnd {
	lctx, lcancel, err := sv.lifetime(ctx, conn)
	if lcancel == nil {
		lcancel = func() {}
	}
	if err == nil && lctx == nil {
		err = invalid("lifetime returned a nil context")
	}
	if err != nil {
		lcancel()
		_ = conn.Close()
		return sessionEnd{stop: fmt.Errorf("connctx: lifetime: %w", err)}
	}
	sv.sessions++
	if sv.o.onConnected != nil {
		sv.o.onConnected(Connected{Session: sv.sessions})
	}
	start := time.Now()
	sctx, scancel := context.WithCancelCause(lctx)
	g, gctx := errgroup.WithContext(sctx)
	serr := sv.session(gctx, conn, g)
	end := sessionEnd{cause: sessionCause(lctx, gctx, serr), uptime: time.Since(start), ran: true}
	scancel(end.cause)
	gerr := g.Wait()
	lcancel()
	_ = conn.Close() // the session is over; a close error changes nothing for the next one
	end.stop = permanent(serr, gerr)
	return end
}

// sessionCause tells why a session ended: its connection was lost (or Supervise's context
// ended), else a goroutine failed, else the session returned on its own.
func sessionCause(lifetime, group context.Context, serr error) error {
	switch {
	case lifetime.Err() != nil:
		return context.Cause(lifetime)
	case group.Err() != nil:
		return context.Cause(group)
	case serr != nil:
		return serr
	default:
		return ErrSessionEnded
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
