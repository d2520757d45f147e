package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emptyPermanentOp returns an operation that returns mark on every call, and stops a runaway
// loop after ten calls so that a broken Retry fails the test instead of hanging it.
func emptyPermanentOp(mark error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		if calls > 10 {
			return Permanent(errors.New("looped"))
		}
		return mark
	}, &calls
}

func TestRetryStopsAfterOneCallOnAnEmptyPermanent(t *testing.T) {
	tests := []struct {
		name string
		mark error
	}{
		{"cenkalti's PermanentError with a nil Err", &cbackoff.PermanentError{}},
		{"a nil *PermanentError", (*cbackoff.PermanentError)(nil)},
		{"an empty mark, wrapped", fmt.Errorf("call: %w", &cbackoff.PermanentError{})},
		{"an empty mark inside a hint", RetryAfter(time.Second, &cbackoff.PermanentError{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				op, calls := emptyPermanentOp(tt.mark)
				start := time.Now()
				err := Retry(t.Context(), Policy{MaxAttempts: 5}, op)
				assert.ErrorIs(t, err, ErrEmptyPermanent, "a failed call is not reported as success")
				assert.Equal(t, 1, *calls)
				assert.Zero(t, time.Since(start))
			})
		})
	}
}

func TestCenkaltiRetryStopsOnOurPermanent(t *testing.T) {
	forbidden := errors.New("403 forbidden")
	calls := 0
	err := cbackoff.Retry(func() error { calls++; return Permanent(forbidden) }, &cbackoff.ZeroBackOff{})
	assert.Same(t, forbidden, err)
	assert.Equal(t, 1, calls, "our Permanent is cenkalti's: its Retry stops too")
}

func TestRetryStopsOnCenkaltisPermanentEvenWrapped(t *testing.T) {
	forbidden := errors.New("403 forbidden")
	op, calls := failing(10, fmt.Errorf("create: %w", cbackoff.Permanent(forbidden)))
	err := Retry(t.Context(), fixed, op)
	assert.Same(t, forbidden, err, "the error inside the mark, wherever the mark is in the chain")
	assert.Equal(t, 1, *calls)
}

func TestIsPermanentFindsTheMarkInTheChain(t *testing.T) {
	inner, ok := IsPermanent(fmt.Errorf("a: %w", fmt.Errorf("b: %w", Permanent(errFlaky))))
	assert.True(t, ok)
	assert.Same(t, errFlaky, inner)
	inner, ok = IsPermanent((*cbackoff.PermanentError)(nil))
	assert.True(t, ok, "a nil *PermanentError is a mark with nothing inside")
	assert.NoError(t, inner)
	_, ok = IsPermanent(nil)
	assert.False(t, ok)
}

func TestTypedNilErrorsDoNotPanic(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"nil *RetryAfterError", (*RetryAfterError)(nil)},
		{"nil *ExhaustedError", (*ExhaustedError)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotPanics(t, func() {
				_, _ = IsPermanent(tt.err)
				_, _ = RetryAfterHint(tt.err)
				_ = tt.err.Error()
				err := Retry(t.Context(), Policy{Initial: time.Nanosecond, MaxAttempts: 2}, func(context.Context) error { return tt.err })
				assert.ErrorIs(t, err, ErrMaxAttempts)
				_ = err.Error()
			})
		})
	}
}
