package backoff

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RetryAfter wraps err with a server's hint to wait d before the next attempt (an HTTP
// Retry-After, a gRPC RetryInfo). [Retry] waits exactly d instead of its own delay when d fits
// in the remaining budget (before the policy's deadline, and before ctx's), and gives up at once
// with [ErrDeadline] when it does not.
// RetryAfter(d, nil) is nil; a negative d counts as zero.
func RetryAfter(d time.Duration, err error) error {
	if err == nil {
		return nil
	}
	return &RetryAfterError{Delay: max(d, 0), Err: err}
}

// RetryAfterError is the error [RetryAfter] returns.
type RetryAfterError struct {
	Delay time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%v (retry after %s)", e.Err, duration(e.Delay))
}

// Unwrap returns the wrapped error.
func (e *RetryAfterError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// RetryAfterHint returns the delay of the first [RetryAfterError] in err's chain.
func RetryAfterHint(err error) (time.Duration, bool) {
	ra, ok := errors.AsType[*RetryAfterError](err)
	if !ok || ra == nil { // a typed nil carries no hint
		return 0, false
	}
	return ra.Delay, true
}

// ParseRetryAfter parses the value of an HTTP Retry-After header (RFC 9110, section 10.2.3) into
// the wait it asks for, counted from now, for [RetryAfter]. The value is delay-seconds (decimal
// digits) or an HTTP-date in any of the three formats a recipient must accept, as
// [http.ParseTime] reads them: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT") and ANSI C's asctime ("Sun Nov  6 08:49:37 1994").
// Spaces and tabs around the value are ignored. A date at or before now, and a negative number
// of seconds, mean 0 (retry now) and ok; a wait too long for a Duration saturates at [Forever].
// Anything else (empty, fractional, a unit, garbage) reports false.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	v := strings.Trim(value, " \t")
	if d, ok := parseSeconds(v); ok {
		return d, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true // Sub saturates
}

// maxSeconds is the longest delay-seconds a Duration holds.
const maxSeconds = int64(Forever / time.Second)

// parseSeconds parses delay-seconds, optionally negative, saturating at Forever.
func parseSeconds(v string) (time.Duration, bool) {
	digits, negative := strings.CutPrefix(v, "-")
	if digits == "" {
		return 0, false
	}
	var n int64
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= maxSeconds { // past it n stays put: the result saturates anyway
			n = n*10 + int64(c-'0')
		}
	}
	switch {
	case negative:
		return 0, true
	case n > maxSeconds:
		return Forever, true
	}
	return time.Duration(n) * time.Second, true
}
