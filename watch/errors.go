package watch

import (
	"errors"
	"fmt"
	"strings"
)

// Reasons a resource gives up, carried by [GiveUpError.Reason]. The other reasons are the
// backoff package's: [backoff.ErrDeadline] (the policy's MaxElapsed passed since the first
// failure with no event delivered, or a Retry-After hint would end after it) and
// [backoff.ErrMaxAttempts].
var (
	// ErrRejected: the server answered 400, 401, 403 or 404 to the watch or the list; retrying
	// would get the same answer.
	ErrRejected = errors.New("watch: request rejected")
	// ErrPermanent: the handler, the resyncer or the source returned a [backoff.Permanent] error.
	ErrPermanent = errors.New("watch: permanent error")
	// ErrMalformed: the stream or the list broke the watch protocol: an object that is nil
	// (or a typed nil) or has no metadata or no resourceVersion, an unknown event type, an error
	// event whose object is not a *metav1.Status, a list without a resourceVersion, a Source
	// returning neither a stream nor an error, a stream with a nil result channel. Resuming would replay the same data, so the resource gives up at once
	// rather than skip a version.
	ErrMalformed = errors.New("watch: malformed stream")
)

// Errors that end one stream and are retried; they appear as [Status.LastError] and as
// [GiveUpError.Last].
var (
	// ErrClosedEarly: a stream closed at once with no event. Once is re-opened at once; again
	// in a row, it counts as a failure and is retried after the backoff delay.
	ErrClosedEarly = errors.New("watch: stream closed at once with no event")
	// ErrIdle: no event or bookmark for the idle timeout ([WithIdleTimeout]); the stream is
	// re-opened at once.
	ErrIdle = errors.New("watch: stream idle")
)

// Errors of the Watcher's own methods.
var (
	// ErrRunning: Run was called while the Watcher is already running.
	ErrRunning = errors.New("watch: already running")
	// ErrExists: Add was called with a name the Watcher already has.
	ErrExists = errors.New("watch: resource already added")
	// ErrUnknownResource: Remove was called with a name the Watcher does not have.
	ErrUnknownResource = errors.New("watch: unknown resource")
	// ErrRemoved is the cause of a resource's context when it is removed.
	ErrRemoved = errors.New("watch: resource removed")
	// ErrStopped is the cause of every resource's context when Run ends.
	ErrStopped = errors.New("watch: watcher stopped")
)

// ErrGaveUp is matched (with errors.Is) by every [*GiveUpError].
var ErrGaveUp = errors.New("watch: gave up")

// GiveUpError is the error [Watcher.Run] returns when a resource gives up. It matches
// [ErrGaveUp], its Reason and its Last error with errors.Is.
type GiveUpError struct {
	// Resource is the name the resource was added with.
	Resource string
	// Reason is why it gave up: ErrRejected, ErrPermanent, ErrMalformed, backoff.ErrDeadline or
	// backoff.ErrMaxAttempts.
	Reason error
	// Last is the last error the source, the stream or the handler returned.
	Last error
}

// Error reads "watch: resource "name" gave up: reason: last error: last", each part once: the
// reason without its "watch: " prefix, and the last error without the reason's text.
func (e *GiveUpError) Error() string {
	msg := fmt.Sprintf("watch: resource %q gave up", e.Resource)
	if e.Reason != nil {
		msg += ": " + strings.TrimPrefix(e.Reason.Error(), "watch: ")
	}
	if e.Last != nil {
		msg += ": last error: " + e.Last.Error()
	}
	return msg
}

// Is reports whether target is [ErrGaveUp].
func (e *GiveUpError) Is(target error) bool { return target == ErrGaveUp }

// Unwrap returns the reason and the last error, so errors.Is and errors.As see both.
func (e *GiveUpError) Unwrap() []error { return []error{e.Reason, e.Last} }

// malformedError is an error of a stream or list that broke the protocol. It matches
// [ErrMalformed] without repeating its text, which [GiveUpError] already shows as the reason.
type malformedError struct{ err error }

// malformedf formats a malformedError; %w wraps as with fmt.Errorf.
func malformedf(format string, args ...any) error {
	return &malformedError{fmt.Errorf(format, args...)}
}

func (e *malformedError) Error() string        { return e.err.Error() }
func (e *malformedError) Unwrap() error        { return e.err }
func (e *malformedError) Is(target error) bool { return target == ErrMalformed }

// gaveUp ends an attempt from inside it (a handler's Permanent error, a budget spent during a
// redelivery). It is unexported so that no error from a Source or a handler can pass for it.
type gaveUp struct{ reason, last error }

func (g *gaveUp) Error() string { return fmt.Sprintf("%v: %v", g.reason, g.last) }
