package connctx

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrConnLost is matched (with errors.Is) by the cause of every context that [WithConn] or
// [WithProbe] ends because the connection was lost. The cause itself is a [*LostError].
var ErrConnLost = errors.New("connctx: connection lost")

// ErrInvalid is matched (with errors.Is) by the errors returned for bad input: a nil
// connection, probe, dial, lifetime or session function, or an option out of range.
var ErrInvalid = errors.New("connctx: invalid argument")

// ErrSessionEnded is the loss cause [Supervise] reports when a session returned nil on its own,
// while its connection was still up.
var ErrSessionEnded = errors.New("connctx: session returned")

// LostError is the cause of a context ended by [WithConn] or [WithProbe] when the connection
// was lost. It matches [ErrConnLost] with errors.Is and unwraps to the last probe error, if any.
type LostError struct {
	// Ready is the name of the ready state (fmt's %v of it); empty for WithProbe.
	Ready string
	// State is the name of the state the connection was seen in after it left Ready. It equals
	// Ready when the connection left and came back before it was seen (a blip): gRPC's state
	// API reports that a change happened, not every state it went through. Empty for WithProbe.
	State string
	// Failures is the number of consecutive failed probes; zero for WithConn.
	Failures int
	// Err is the last probe's error. For WithConn it is nil, unless the connection's
	// WaitForStateChange returned false before its context ended, which leaves nothing to
	// watch the connection with: Err then says so.
	Err error
}

func (e *LostError) Error() string {
	switch {
	case e.Failures == 1:
		return fmt.Sprintf("%v: 1 probe failed: %v", ErrConnLost, e.Err)
	case e.Failures > 1:
		return fmt.Sprintf("%v: %d probes failed in a row, last: %v", ErrConnLost, e.Failures, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%v: %s: %v", ErrConnLost, e.State, e.Err)
	case e.State == e.Ready:
		return fmt.Sprintf("%v: left %s and was back before it was seen", ErrConnLost, e.Ready)
	default:
		return fmt.Sprintf("%v: %s, not %s", ErrConnLost, e.State, e.Ready)
	}
}

// Is reports whether target is [ErrConnLost].
func (e *LostError) Is(target error) bool { return target == ErrConnLost }

// Unwrap returns Err.
func (e *LostError) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// errBrokenWait is what a connection whose WaitForStateChange returned false while its context
// was alive did: it broke the contract of [Conn], and can no longer be watched.
var errBrokenWait = errors.New("WaitForStateChange returned false before its context ended")

// errNilConn is the error of a dial attempt that returned neither a connection nor an error.
var errNilConn = invalid("dial returned a nil connection and a nil error")

// isNil reports whether v is nil or holds a nil pointer, func, map, slice, channel or
// interface: a typed nil that a method call would dereference.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	default:
		return false
	}
}

// isZero reports whether v is nil or the zero value of its type: no connection to close.
func isZero(v any) bool { return v == nil || reflect.ValueOf(v).IsZero() }
