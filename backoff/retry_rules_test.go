package backoff

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryDeadlineCountsFromTheFirstFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		p := Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: 10 * time.Second}
		err := Retry(t.Context(), p, func(context.Context) error {
			calls++
			if calls == 1 {
				time.Sleep(time.Minute) // a slow first attempt does not spend the budget
			}
			return errFlaky
		})
		assert.ErrorIs(t, err, ErrDeadline)
		assert.Equal(t, 5, calls, "attempts 0, 1, 3, 7 and 10s after the first failure")
	})
}

func TestRetryHonoursAHintThatEndsOnTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(1, RetryAfter(time.Minute, errFlaky))
		start := time.Now()
		require.NoError(t, Retry(t.Context(), fixed, op), "a hint that lands on the deadline fits, like a clipped delay")
		assert.Equal(t, 2, *calls)
		assert.Equal(t, time.Minute, time.Since(start))
	})
}

func TestRetryHonoursAHintLongerThanMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, _ := failing(1, RetryAfter(45*time.Second, errFlaky))
		start := time.Now()
		require.NoError(t, Retry(t.Context(), Policy{Max: 30 * time.Second, MaxElapsed: time.Minute}, op))
		assert.Equal(t, 45*time.Second, time.Since(start), "the server's hint, not the cap")
	})
}

func TestRetryAfterDoesNotAddAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(100, RetryAfter(time.Millisecond, errFlaky))
		err := Retry(t.Context(), Policy{MaxAttempts: 2}, op)
		assert.ErrorIs(t, err, ErrMaxAttempts)
		assert.Equal(t, 2, *calls)
	})
}

func TestRetryAfterHintIsTheFirstInTheChain(t *testing.T) {
	err := fmt.Errorf("get: %w", RetryAfter(time.Second, RetryAfter(time.Hour, errFlaky)))
	d, ok := RetryAfterHint(err)
	assert.True(t, ok)
	assert.Equal(t, time.Second, d)
	assert.ErrorIs(t, err, errFlaky, "RetryAfterError unwraps to its error")
}

func TestRetryValueReturnsTheZeroValueWhenItGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, failure := range []error{errFlaky, Permanent(errFlaky), &cbackoff.PermanentError{}} {
			v, err := RetryValue(t.Context(), Policy{MaxAttempts: 2}, func(context.Context) (int, error) {
				return -1, failure
			})
			assert.Error(t, err)
			assert.Zero(t, v, "not the value of a failed call (%v)", failure)
		}
	})
}

func TestRetryCallsOpWithAContextDerivedFromCtx(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "tenant-7")
	for _, opts := range [][]Option{nil, {WithAttemptTimeout(time.Hour)}} {
		var seen any
		require.NoError(t, Retry(ctx, fixed, func(ctx context.Context) error { seen = ctx.Value(key{}); return nil }, opts...))
		assert.Equal(t, "tenant-7", seen)
	}
}

func TestWithAttemptTimeoutOfZeroOrLessIsNoTimeout(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		require.NoError(t, Retry(t.Context(), fixed, func(ctx context.Context) error {
			_, has := ctx.Deadline()
			assert.False(t, has, "WithAttemptTimeout(%v) must not set a deadline", d)
			return nil
		}, WithAttemptTimeout(d)))
	}
}

func TestRetryIgnoresNilOptionsAndNilHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failing(2, errFlaky)
		require.NotPanics(t, func() {
			assert.NoError(t, Retry(t.Context(), fixed, op, nil, WithHooks(Hooks{OnRetry: nil})))
		})
		assert.Equal(t, 3, *calls)
	})
}

func TestRetryRefusesANilContext(t *testing.T) {
	op, calls := failing(0, nil)
	require.NotPanics(t, func() {
		//lint:ignore SA1012 a nil context is the bad input under test
		err := Retry(nil, fixed, op)
		assert.ErrorContains(t, err, "nil context")
	})
	assert.Zero(t, *calls)
	require.NotPanics(t, func() {
		//lint:ignore SA1012 a nil context is the bad input under test
		assert.True(t, Sleep(nil, 0), "a nil context never ends")
	})
}

func TestRetryOnRetryRunsOnTheCallingGoroutineBeforeTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, _ := failing(1, errFlaky)
		start := time.Now()
		var at time.Duration
		inRetry := true
		require.NoError(t, Retry(t.Context(), fixed, op, WithHooks(Hooks{OnRetry: func(Retrying) {
			at = time.Since(start)
			assert.True(t, inRetry, "the hook runs while Retry runs")
		}})))
		inRetry = false // unsynchronised on purpose: -race says if the hook ran elsewhere
		assert.Zero(t, at, "before the wait")
	})
}
