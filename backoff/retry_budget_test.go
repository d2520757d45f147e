package backoff

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertGaveUpOnTheContextDeadline asserts err is the give-up for a next attempt that could not
// start before ctx's deadline, after the given attempts, keeping the last error.
func assertGaveUpOnTheContextDeadline(t *testing.T, err error, attempts int) {
	t.Helper()
	var ex *ExhaustedError
	require.ErrorAs(t, err, &ex)
	assert.ErrorIs(t, err, ErrExhausted)
	assert.ErrorIs(t, ex.Reason, ErrDeadline)
	assert.ErrorIs(t, ex.Reason, context.DeadlineExceeded)
	assert.ErrorIs(t, err, errFlaky, "the last operation error is kept")
	assert.Equal(t, attempts, ex.Attempts)
}

func TestRetryGivesUpAtOnceWhenTheHintEndsPastTheContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		op, calls := failing(1, RetryAfter(3*time.Second, errFlaky))
		start := time.Now()
		err := Retry(ctx, fixed, op)
		assert.Zero(t, time.Since(start), "no sleeping into a deadline that ends the retry anyway")
		assert.Equal(t, 1, *calls)
		assertGaveUpOnTheContextDeadline(t, err, 1)
	})
}

func TestRetryGivesUpAtOnceWhenTheDelayEndsPastTheContextDeadline(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
	}{
		{"past the deadline", 2500 * time.Millisecond},
		{"exactly on the deadline, when the context has ended", 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
				defer cancel()
				op, calls := failing(1000, errFlaky)
				start := time.Now()
				var retries int
				err := Retry(ctx, fixed, op, WithHooks(Hooks{OnRetry: func(Retrying) { retries++ }}))
				// attempts at 0 and 1s; the next one, after 2s more, could not start in time
				assert.Equal(t, time.Second, time.Since(start))
				assert.Equal(t, 2, *calls)
				assert.Equal(t, 1, retries, "no retry is announced that will not happen")
				assertGaveUpOnTheContextDeadline(t, err, 2)
			})
		})
	}
}

func TestRetryWaitsADelayThatEndsBeforeTheContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second+time.Nanosecond)
		defer cancel()
		op, calls := failing(2, errFlaky)
		require.NoError(t, Retry(ctx, fixed, op), "attempts at 0, 1s and 3s, just before the deadline")
		assert.Equal(t, 3, *calls)
	})
}

func TestRetryReportsTheContextDeadlineAsRemaining(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		op, _ := failing(2, errFlaky)
		var seen []time.Duration
		require.NoError(t, Retry(ctx, fixed, op, WithHooks(Hooks{OnRetry: func(r Retrying) { seen = append(seen, r.Remaining) }})))
		assert.Equal(t, []time.Duration{10 * time.Second, 9 * time.Second}, seen,
			"the context's deadline is sooner than the policy's minute")
	})
}
