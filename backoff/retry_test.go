package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errFlaky = errors.New("503 unavailable")

// failing returns an operation that fails n times with err, then succeeds, and counts its calls.
func failing(n int, err error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		if calls <= n {
			return err
		}
		return nil
	}, &calls
}

var fixed = Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: time.Minute}

func TestRetrySucceedsAfterFailuresWaitingTheSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(3, errFlaky)
		start := time.Now()
		require.NoError(t, Retry(t.Context(), fixed, op))
		assert.Equal(t, 4, *calls)
		assert.Equal(t, 7*time.Second, time.Since(start), "1s + 2s + 4s of backoff")
	})
}

func TestRetryValueReturnsTheFirstSuccessfulValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		v, err := RetryValue(t.Context(), fixed, func(context.Context) (int, error) {
			n++
			if n < 2 {
				return -1, errFlaky
			}
			return 42, nil
		})
		require.NoError(t, err)
		assert.Equal(t, 42, v)
	})
}

func TestRetryStopsAtOnceOnPermanent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		forbidden := errors.New("403 forbidden")
		op, calls := failing(10, Permanent(forbidden))
		start := time.Now()
		err := Retry(t.Context(), fixed, op)
		assert.Same(t, forbidden, err, "Retry returns the error inside Permanent")
		assert.Equal(t, 1, *calls)
		assert.Zero(t, time.Since(start))
	})
}

func TestRetryGivesUpAtTheDeadlineKeepingTheLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(1000, errFlaky)
		start := time.Now()
		err := Retry(t.Context(), Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: 10 * time.Second}, op)
		var ex *ExhaustedError
		require.ErrorAs(t, err, &ex)
		assert.ErrorIs(t, err, ErrExhausted)
		assert.ErrorIs(t, err, ErrDeadline)
		assert.ErrorIs(t, err, errFlaky, "the last operation error must be kept")
		assert.Equal(t, 5, ex.Attempts, "attempts at 0, 1, 3, 7 and 10s: the last one on the deadline")
		assert.Equal(t, *calls, ex.Attempts)
		assert.Equal(t, 10*time.Second, ex.Elapsed)
		assert.Equal(t, 10*time.Second, time.Since(start), "never past the deadline")
	})
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(1000, errFlaky)
		err := Retry(t.Context(), Policy{MaxAttempts: 3}, op)
		assert.ErrorIs(t, err, ErrMaxAttempts)
		assert.ErrorIs(t, err, errFlaky)
		assert.Equal(t, 3, *calls)
		assert.Contains(t, err.Error(), "gave up after 3 attempts")
	})
}

func TestRetryHonoursRetryAfterWithinTheBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, _ := failing(1, RetryAfter(7*time.Second, errFlaky))
		var seen []Retrying
		start := time.Now()
		err := Retry(t.Context(), fixed, op, WithHooks(Hooks{OnRetry: func(r Retrying) { seen = append(seen, r) }}))
		require.NoError(t, err)
		assert.Equal(t, 7*time.Second, time.Since(start), "the hint replaces the 1s delay")
		require.Len(t, seen, 1)
		assert.Equal(t, 7*time.Second, seen[0].Delay)
	})
}

func TestRetryAfterPastTheDeadlineFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(1, RetryAfter(2*time.Minute, errFlaky))
		start := time.Now()
		err := Retry(t.Context(), fixed, op)
		assert.ErrorIs(t, err, ErrExhausted)
		assert.ErrorIs(t, err, ErrDeadline)
		assert.ErrorIs(t, err, errFlaky)
		assert.Equal(t, 1, *calls)
		assert.Zero(t, time.Since(start), "no point waiting for a retry that cannot happen")
	})
}

func TestRetryReportsEachRetryToOnRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, _ := failing(1000, errFlaky)
		var seen []Retrying
		p := Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: 5 * time.Second}
		_ = Retry(t.Context(), p, op, WithHooks(Hooks{OnRetry: func(r Retrying) { seen = append(seen, r) }}))
		assert.Equal(t, []Retrying{
			{Attempt: 1, Err: errFlaky, Delay: time.Second, Remaining: 5 * time.Second},
			{Attempt: 2, Err: errFlaky, Delay: 2 * time.Second, Remaining: 4 * time.Second},
			{Attempt: 3, Err: errFlaky, Delay: 2 * time.Second, Remaining: 2 * time.Second},
		}, seen, "the third delay is clipped to the deadline; no hook for the attempt that gives up")
	})
}

func TestRetryAttemptTimeoutIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		err := Retry(t.Context(), fixed, func(ctx context.Context) error {
			calls++
			if calls == 1 {
				<-ctx.Done() // a hung call
				assert.ErrorIs(t, context.Cause(ctx), ErrAttemptTimeout)
				return ctx.Err()
			}
			return nil
		}, WithAttemptTimeout(3*time.Second))
		assert.NoError(t, err)
		assert.Equal(t, 2, calls)
	})
}

func TestRetryParentContextEndingIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("shutting down")
		ctx, cancel := context.WithCancelCause(t.Context())
		calls := 0
		err := Retry(ctx, fixed, func(ctx context.Context) error {
			calls++
			cancel(stop)
			return errFlaky
		}, WithAttemptTimeout(time.Hour), WithHooks(Hooks{OnRetry: func(Retrying) {
			t.Error("OnRetry must not announce a retry after the caller's context ended")
		}}),
		)
		assert.Equal(t, 1, calls)
		assert.ErrorIs(t, err, ErrExhausted)
		assert.ErrorIs(t, err, stop, "the reason is the context's cause")
		assert.ErrorIs(t, err, errFlaky, "the last error is kept when the context ends first")
	})
}

func TestRetryContextEndingDuringTheWaitKeepsTheLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("shutting down")
		ctx, cancel := context.WithCancelCause(t.Context())
		defer cancel(nil)
		time.AfterFunc(1500*time.Millisecond, func() { cancel(stop) }) // no deadline: a cancel
		op, calls := failing(1000, errFlaky)
		start := time.Now()
		err := Retry(ctx, fixed, op)
		assert.Equal(t, 1500*time.Millisecond, time.Since(start), "the wait ends with the context")
		assert.Equal(t, 2, *calls)
		assert.ErrorIs(t, err, stop)
		assert.ErrorIs(t, err, errFlaky)
	})
}

func TestRetryWithAnEndedContextCallsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	op, calls := failing(0, nil)
	err := Retry(ctx, fixed, op)
	assert.ErrorIs(t, err, ErrExhausted)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, errFlaky, "no attempt, so no last error")
	var ex *ExhaustedError
	require.ErrorAs(t, err, &ex)
	assert.Equal(t, []error{context.Canceled}, ex.Unwrap(), "a nil last error is not unwrapped")
	assert.Zero(t, *calls)
}

func TestRetryRefusesBadInput(t *testing.T) {
	assert.ErrorContains(t, Retry(t.Context(), fixed, nil), "nil operation")
	_, err := RetryValue[int](t.Context(), fixed, nil)
	assert.ErrorContains(t, err, "nil operation")
	op, calls := failing(0, nil)
	assert.ErrorIs(t, Retry(t.Context(), Policy{Multiplier: 0.1}, op), ErrInvalidPolicy)
	assert.Zero(t, *calls, "an invalid policy is reported before any attempt")
}

func TestPermanentAndRetryAfterOfNilAreNil(t *testing.T) {
	assert.NoError(t, Permanent(nil))
	assert.NoError(t, RetryAfter(time.Second, nil))
	_, ok := IsPermanent(errFlaky)
	assert.False(t, ok)
	_, ok = RetryAfterHint(errFlaky)
	assert.False(t, ok)
	d, ok := RetryAfterHint(RetryAfter(-time.Second, errFlaky))
	assert.True(t, ok)
	assert.Zero(t, d, "a negative hint counts as zero")
}

func TestSleepWaitsOrEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		assert.True(t, Sleep(t.Context(), 3*time.Second))
		assert.Equal(t, 3*time.Second, time.Since(start))

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		assert.False(t, Sleep(ctx, time.Hour))
		assert.Equal(t, time.Second, time.Since(start), "the wait ends with the context")
		assert.False(t, Sleep(ctx, 0), "an ended context reports false even without a wait")
		assert.True(t, Sleep(t.Context(), -time.Second))
	})
}
