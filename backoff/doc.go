// Package backoff retries operations with a deadline-bounded, jittered exponential backoff.
//
// It is built on github.com/cenkalti/backoff/v4 and interoperates with it: a [Schedule] satisfies
// its BackOff interface (so it can drive its Retry and Ticker), and [Permanent] is its
// PermanentError, so an error marked permanent for one is permanent for the other.
// It also converts to and from k8s.io/apimachinery's wait.Backoff ([FromWait], [Policy.ToWait]):
// below the cap, a converted policy draws each delay uniformly from the same band as the
// original (ToWait of a Jitter above 0.9 aside); the conversions' docs say exactly what they keep.
//
// The rules:
//
//   - A [Policy] is an immutable value, safe to copy and share between goroutines. Its zero
//     value means the documented defaults ([DefaultInitial] and the others), chosen for calls to
//     external APIs. Each zero field means its default, and is valid with any set fields: a
//     default Initial is lowered to a set Max, a default Max raised to a set Initial.
//     [Policy.Validate] reports nonsensical values; nothing in this package panics on bad input,
//     it returns an error instead.
//   - A [Schedule] is the per-loop state made from a Policy by [NewSchedule]. It is not safe for
//     concurrent use: make one per retry loop.
//   - The deadline ([Policy.MaxElapsed]) is counted from the first failure, not from when the
//     schedule was made. The last delay is clipped so the last attempt lands on the deadline, never
//     after it. After the deadline the schedule says stop.
//   - Jitter is applied before the cap: a delay never exceeds [Policy.Max]. The first retry is
//     jittered too. Arithmetic saturates: no attempt count, multiplier or cap overflows.
//   - [Retry] and [RetryValue] stop at once on a [Permanent] error and return the error inside it,
//     or [ErrEmptyPermanent] for a mark with nothing inside (cenkalti's &PermanentError{}).
//     [RetryAfter] carries a server's hint ([ParseRetryAfter] reads HTTP's Retry-After); it is
//     honoured if it fits in the remaining budget and gives up at once if it does not.
//   - The caller's context deadline is a budget too: when the wait before the next attempt, its
//     delay or hint, would end at or after ctx's deadline, Retry gives up at once instead of
//     sleeping into it, with the last error and a reason matching [ErrDeadline] and
//     context.DeadlineExceeded.
//   - When Retry gives up, its error matches [ErrExhausted] with errors.Is and is an
//     [*ExhaustedError] carrying the reason ([ErrDeadline], [ErrMaxAttempts] or the context's
//     cause), the last operation error, the number of attempts and the time spent. The last
//     operation error is kept also when the context ended first.
//   - A per-attempt timeout ([WithAttemptTimeout]) that expires is a failed attempt and is
//     retried; the caller's context ending is not.
//   - A panic in the operation or in a hook propagates to Retry's caller unchanged. Retry starts
//     no goroutine, and an attempt's own context is cancelled on the way out, so nothing is left
//     behind.
//
// The package does not log. [Hooks.OnRetry] reports each retry to a hook instead.
package backoff
