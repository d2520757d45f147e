package backoff

import (
	"errors"
	"fmt"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
)

// ErrExhausted is matched (with errors.Is) by every error [Retry] returns when it gives up.
var ErrExhausted = errors.New("backoff: retries exhausted")

// ExhaustedError is the error [Retry] and [RetryValue] return when they give up. It matches
// [ErrExhausted], its Reason and its Last error with errors.Is.
type ExhaustedError struct {
	// Reason is why retrying stopped: ErrDeadline, ErrMaxAttempts, or the cause of the caller's
	// context (context.Cause) when it ended.
	Reason error
	// Last is the last error the operation returned; nil only if the context ended before the
	// first attempt.
	Last error
	// Attempts is how many times the operation was called.
	Attempts int
	// Elapsed is the time from the first attempt's start until giving up.
	Elapsed time.Duration
}

func (e *ExhaustedError) Error() string {
	if e == nil {
		return "<nil>"
	}
	msg := fmt.Sprintf("backoff: gave up after %s in %s: %v", plural(e.Attempts, "attempt"),
		duration(e.Elapsed.Round(time.Millisecond)), e.Reason)
	if e.Last != nil {
		msg += fmt.Sprintf(": last error: %v", e.Last) // fmt survives a Last whose Error panics
	}
	return msg
}

// Is reports whether target is [ErrExhausted].
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }

// Unwrap returns the reason and the last error (those that are not nil), so errors.Is and
// errors.As see both.
func (e *ExhaustedError) Unwrap() []error {
	if e == nil {
		return nil
	}
	errs := make([]error, 0, 2)
	for _, err := range []error{e.Reason, e.Last} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Permanent wraps err so that [Retry] stops at once and returns err. It is cenkalti/backoff's
// Permanent, so both packages recognise it. Permanent(nil) is nil.
func Permanent(err error) error { return cbackoff.Permanent(err) }

// ErrEmptyPermanent is what [Retry] returns, after that one call, when the operation returns a
// permanent mark with no error inside: a cenkalti/backoff &PermanentError{Err: nil} or a nil
// *PermanentError, which [Permanent] never makes. The operation did fail (its error was not
// nil), so Retry reports that instead of success.
var ErrEmptyPermanent = errors.New("backoff: permanent error with no error inside")

// IsPermanent reports whether err, or an error it wraps, was marked by [Permanent], and returns
// the error inside the mark: nil for a mark with nothing inside (see [ErrEmptyPermanent]).
func IsPermanent(err error) (error, bool) {
	p, ok := errors.AsType[*cbackoff.PermanentError](err)
	if !ok {
		return nil, false
	}
	if p == nil { // a typed nil in err's chain
		return nil, true
	}
	return p.Err, true
}
