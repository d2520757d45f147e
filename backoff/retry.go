package backoff

import (
	"context"
	"errors"
	"time"
)

// ErrAttemptTimeout is the cause of an attempt's context when [WithAttemptTimeout] expires.
var ErrAttemptTimeout = errors.New("backoff: attempt timed out")

// errNilOperation and errNilContext are returned for a nil operation or context: programmer
// errors, but reported, not panicked.
var (
	errNilOperation = errors.New("backoff: nil operation")
	errNilContext   = errors.New("backoff: nil context")
)

// Retrying describes one failed attempt that will be retried; [Hooks.OnRetry] receives it.
type Retrying struct {
	Attempt int           // the attempt that failed, 1 for the first
	Err     error         // what it returned
	Delay   time.Duration // the wait before the next attempt
	// Remaining is the budget left before the wait: until the policy's deadline or ctx's,
	// whichever is sooner; Forever if there is neither.
	Remaining time.Duration
}

// Option configures [Retry] and [RetryValue]. A nil Option is ignored.
type Option func(*options)

type options struct {
	onRetry        func(Retrying)
	attemptTimeout time.Duration
}

// Hooks are the functions [Retry] and [RetryValue] call to report what they do, as every
// package of the library reports: a struct of optional functions set with [WithHooks]. A nil
// field is absent; the zero Hooks reports nothing.
type Hooks struct {
	// OnRetry is called after each failed attempt that will be retried, before the wait, on
	// the goroutine that called Retry. It is not called for the attempt after which Retry
	// gives up.
	OnRetry func(Retrying)
}

// WithHooks sets the functions Retry calls to report what it does. Several WithHooks combine:
// a non-nil field replaces the one set before it, and a nil field leaves it.
func WithHooks(h Hooks) Option {
	return func(o *options) {
		if h.OnRetry != nil {
			o.onRetry = h.OnRetry
		}
	}
}

// WithAttemptTimeout gives each attempt a context that ends after d, with cause
// [ErrAttemptTimeout]. An attempt that fails because of it is retried like any failure. Zero or
// a negative d means no per-attempt timeout.
func WithAttemptTimeout(d time.Duration) Option {
	return func(o *options) { o.attemptTimeout = d }
}

// Retry calls op until it returns nil, following policy p, and returns nil on success.
//
// It stops early and returns:
//   - the error inside a [Permanent] error, at once ([ErrEmptyPermanent] if there is none);
//   - an [*ExhaustedError] (matching [ErrExhausted]) when the schedule says stop, when a
//     [RetryAfter] hint does not fit in the budget, when the next attempt could not start before
//     ctx's deadline (its Reason then matches [ErrDeadline] and context.DeadlineExceeded), or
//     when ctx ends; it keeps op's last error;
//   - p's validation error, or an error for a nil op or a nil ctx, before calling op.
//
// Retry blocks until then; it waits on ctx, so cancelling ctx ends the wait at once. op is
// called on the calling goroutine with a context derived from ctx; a panic in op or in a hook
// propagates unchanged.
func Retry(ctx context.Context, p Policy, op func(context.Context) error, opts ...Option) error {
	if op == nil {
		return errNilOperation
	}
	_, err := RetryValue(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, op(ctx)
	}, opts...)
	return err
}

// RetryValue is [Retry] for an operation that returns a value: it returns the value of the
// first successful call, or the zero T with the error Retry would return.
func RetryValue[T any](ctx context.Context, p Policy, op func(context.Context) (T, error), opts ...Option) (T, error) {
	var zero T
	switch {
	case op == nil:
		return zero, errNilOperation
	case ctx == nil:
		return zero, errNilContext
	}
	s, err := newSchedule(p)
	if err != nil {
		return zero, err
	}
	r := retrier{s: s, start: time.Now()}
	defer r.stopTimer()
	if len(opts) > 0 {
		r.o = applyOptions(opts)
	}
	for {
		if ctx.Err() != nil {
			return zero, r.exhausted(context.Cause(ctx))
		}
		v, err := call(ctx, r.o.attemptTimeout, op)
		r.attempts++
		if err == nil {
			return v, nil
		}
		if err := r.failed(ctx, err); err != nil {
			return zero, err
		}
	}
}

// applyOptions is apart from RetryValue so that only a call with options pays for the
// options escaping to the heap.
func applyOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// call runs one attempt under its own timeout, if there is one.
func call[T any](ctx context.Context, timeout time.Duration, op func(context.Context) (T, error)) (T, error) {
	if timeout <= 0 {
		return op(ctx)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrAttemptTimeout)
	defer cancel()
	return op(ctx)
}

// retrier is the state of one Retry call.
type retrier struct {
	s        Schedule
	o        options
	start    time.Time
	attempts int
	last     error
	timer    *time.Timer // made by the first wait, reset by the others
}

// sleep is [Sleep] on one timer for the whole Retry call.
func (r *retrier) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	if r.timer == nil {
		r.timer = time.NewTimer(d)
	} else {
		r.timer.Reset(d) // since Go 1.23 a Reset timer delivers no value left from before
	}
	select {
	case <-r.timer.C:
		return true
	case <-ctx.Done():
		r.timer.Stop()
		return false
	}
}

func (r *retrier) stopTimer() {
	if r.timer != nil {
		r.timer.Stop()
	}
}

// failed handles a failed attempt: it returns the error to give up with, or nil after waiting
// for the next attempt.
func (r *retrier) failed(ctx context.Context, err error) error {
	if inner, ok := IsPermanent(err); ok {
		if inner == nil {
			return ErrEmptyPermanent
		}
		return inner
	}
	r.last = err
	delay, reason := r.next(ctx, err)
	if reason != nil {
		return r.exhausted(reason)
	}
	if r.o.onRetry != nil {
		r.o.onRetry(Retrying{Attempt: r.attempts, Err: err, Delay: delay, Remaining: r.remaining(ctx)})
	}
	if !r.sleep(ctx, delay) {
		return r.exhausted(context.Cause(ctx))
	}
	return nil
}

// next returns the wait before the next attempt, or why there is none: ctx has ended, the
// schedule says stop, the hint does not fit before the policy's deadline, or the wait would end
// at or after ctx's deadline, when the attempt would start with an ended context.
func (r *retrier) next(ctx context.Context, err error) (time.Duration, error) {
	if ctx.Err() != nil {
		return 0, context.Cause(ctx)
	}
	delay, ok := r.s.Next() // already clipped to the policy's deadline
	if !ok {
		return 0, r.s.Reason()
	}
	if hint, ok := RetryAfterHint(err); ok {
		if hint > r.s.Remaining() {
			return 0, ErrDeadline
		}
		delay = hint
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Add(delay).Before(dl) {
		return 0, errContextDeadline
	}
	return delay, nil
}

// remaining is the budget left: until the policy's deadline or ctx's, whichever is sooner.
func (r *retrier) remaining(ctx context.Context) time.Duration {
	left := r.s.Remaining()
	if dl, ok := ctx.Deadline(); ok {
		left = min(left, max(time.Until(dl), 0))
	}
	return left
}

// errContextDeadline is the reason Retry gives up when the next attempt could not start before
// ctx's deadline: it matches ErrDeadline and context.DeadlineExceeded, what the deadline would
// have said had Retry slept into it.
var errContextDeadline error = contextDeadlineError{}

type contextDeadlineError struct{}

func (contextDeadlineError) Error() string {
	return "backoff: no time for another attempt before the context's deadline"
}

func (contextDeadlineError) Unwrap() []error { return []error{ErrDeadline, context.DeadlineExceeded} }

func (r *retrier) exhausted(reason error) error {
	return &ExhaustedError{Reason: reason, Last: r.last, Attempts: r.attempts, Elapsed: time.Since(r.start)}
}

// Sleep waits for d or until ctx ends, whichever comes first, and reports whether the whole
// wait passed. It is the wait of a loop that drives a [Schedule] by hand; zero or a negative d
// does not wait but still reports false when ctx has ended. A nil ctx never ends.
func Sleep(ctx context.Context, d time.Duration) bool {
	if ctx == nil {
		ctx = context.Background()
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
