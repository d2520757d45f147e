package connctx

import (
	"errors"
	"fmt"
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
	// Err is the last probe's error; nil for WithConn.
	Err error
}

func (e *LostError) Error() string {
	switch {
	case e.Failures > 0:
		return fmt.Sprintf("%v: %d probes failed in a row, last: %v", ErrConnLost, e.Failures, e.Err)
	case e.State == e.Ready:
		return fmt.Sprintf("%v: left %s and was back before it was seen", ErrConnLost, e.Ready)
	default:
		return fmt.Sprintf("%v: %s, not %s", ErrConnLost, e.State, e.Ready)
	}
}

// Is reports whether target is [ErrConnLost].
func (e *LostError) Is(target error) bool { return target == ErrConnLost }

// Unwrap returns the last probe error (nil for WithConn).
func (e *LostError) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
