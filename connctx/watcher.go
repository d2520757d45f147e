package connctx

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// panicError is the cause of a context whose watching code (a Probe, or a Conn's GetState or
// WaitForStateChange) panicked or called runtime.Goexit. The context's cancel function raises
// the panic again, with the same value, on the goroutine that calls it.
type panicError struct {
	what  string // the code that panicked, for the message
	value any    // what it panicked with; nil after runtime.Goexit
	stack []byte // where it panicked: the panic raised again by cancel has cancel's stack
}

func (e *panicError) Error() string {
	if e.value == nil {
		return fmt.Sprintf("connctx: %s called runtime.Goexit", e.what)
	}
	return fmt.Sprintf("connctx: %s panicked: %v\n\n%s", e.what, e.value, e.stack)
}

// guard runs fn, which is code the caller handed us. If fn panics or calls runtime.Goexit,
// guard records it in *p and ends the context with it (through cancel) before the panic is
// recovered or the Goexit goes on, so that the context never outlives the code watching it.
func guard(p **panicError, cancel context.CancelCauseFunc, what string, fn func()) {
	returned := false
	defer func() {
		if !returned {
			*p = &panicError{what: what, value: recover(), stack: debug.Stack()}
			cancel(*p)
		}
	}()
	fn()
	returned = true
}

// watch runs fn under [guard] on a goroutine of its own and returns the cancel function of
// WithConn and WithProbe: it ends the context with cause [context.Canceled], waits for the
// goroutine to end, and raises again, the first time only, a panic recorded there. fn must
// return when ctx ends. The record is written before done is closed and read after.
func watch(cancel context.CancelCauseFunc, what string, fn func()) context.CancelFunc {
	var p *panicError
	done := make(chan struct{})
	go func() {
		defer close(done)
		guard(&p, cancel, what, fn)
	}()
	return stopFunc(cancel, done, &p)
}

// stopFunc returns a cancel function that cancels, waits for done (if not nil) and raises
// again a panic recorded in *p, once.
func stopFunc(cancel context.CancelCauseFunc, done <-chan struct{}, p **panicError) context.CancelFunc {
	var once sync.Once
	return func() {
		cancel(nil)
		if done != nil {
			<-done
		}
		once.Do(func() {
			if e := *p; e != nil && e.value != nil {
				panic(e.value)
			}
		})
	}
}

// newCancelCause is context.WithCancelCause that does not panic on a nil parent: it returns
// an error matching [ErrInvalid] and a context, derived from context.Background, already
// ended with that error.
func newCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc, error) {
	if isNil(parent) {
		ctx, cancel := context.WithCancelCause(context.Background())
		err := invalid("nil parent context")
		cancel(err)
		return ctx, cancel, err
	}
	ctx, cancel := context.WithCancelCause(parent)
	return ctx, cancel, nil
}
