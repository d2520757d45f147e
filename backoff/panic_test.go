package backoff

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recovered runs fn and returns what it panicked with, nil if it returned.
func recovered(fn func()) (v any) {
	defer func() { v = recover() }()
	fn()
	return nil
}

type boom struct{ attempt int }

func TestRetryLetsAPanicInTheOperationPropagateUnchanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		want := &boom{attempt: 2}
		var attemptCtx context.Context
		calls := 0
		got := recovered(func() {
			_ = Retry(t.Context(), fixed, func(ctx context.Context) error {
				calls++
				if calls == 2 {
					attemptCtx = ctx
					panic(want)
				}
				return errFlaky
			}, WithAttemptTimeout(time.Hour))
		})
		assert.Same(t, want, got, "the panic value reaches the caller as it was")
		assert.Equal(t, 2, calls)
		require.NotNil(t, attemptCtx)
		assert.ErrorIs(t, attemptCtx.Err(), context.Canceled, "the attempt's context is cancelled on the way out")
		assert.NotErrorIs(t, context.Cause(attemptCtx), ErrAttemptTimeout, "cancelled, not timed out")
		synctest.Wait() // and nothing is left running in the bubble (synctest would say so)
	})
}

func TestRetryLetsAPanicInOnRetryPropagateUnchanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		want := &boom{}
		op, calls := failing(10, errFlaky)
		got := recovered(func() {
			_ = Retry(t.Context(), fixed, op, WithHooks(Hooks{OnRetry: func(Retrying) { panic(want) }}))
		})
		assert.Same(t, want, got)
		assert.Equal(t, 1, *calls, "no attempt after the hook panicked")
	})
}

func TestRetryValueLetsAPanicPropagateUnchanged(t *testing.T) {
	got := recovered(func() {
		_, _ = RetryValue(t.Context(), fixed, func(context.Context) (int, error) { panic("sql: bad conn") })
	})
	assert.Equal(t, "sql: bad conn", got)
}
