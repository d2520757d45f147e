package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExhaustedErrorMessagesReadRight(t *testing.T) {
	tests := []struct {
		name string
		err  *ExhaustedError
		want string
	}{
		{"one attempt is singular",
			&ExhaustedError{Reason: ErrMaxAttempts, Last: errFlaky, Attempts: 1, Elapsed: 1500 * time.Microsecond},
			"backoff: gave up after 1 attempt in 2ms: backoff: attempts exhausted: last error: 503 unavailable"},
		{"several attempts are plural",
			&ExhaustedError{Reason: ErrDeadline, Last: errFlaky, Attempts: 3, Elapsed: 10 * time.Second},
			"backoff: gave up after 3 attempts in 10s: backoff: deadline passed: last error: 503 unavailable"},
		{"no attempt, no last error",
			&ExhaustedError{Reason: context.Canceled},
			"backoff: gave up after 0 attempts in 0s: context canceled"},
		{"a sentinel duration prints by name",
			&ExhaustedError{Reason: ErrDeadline, Attempts: 2, Elapsed: Forever},
			"backoff: gave up after 2 attempts in forever: backoff: deadline passed"},
		{"a Last whose Error panics",
			&ExhaustedError{Reason: ErrDeadline, Last: (*panickyError)(nil), Attempts: 1},
			"backoff: gave up after 1 attempt in 0s: backoff: deadline passed: last error: <nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// panickyError is an error whose Error dereferences its receiver, as many do.
type panickyError struct{ msg string }

func (e *panickyError) Error() string { return e.msg }

func TestRetryAfterErrorMessages(t *testing.T) {
	assert.Equal(t, "503 unavailable (retry after 7s)", RetryAfter(7*time.Second, errFlaky).Error())
	assert.Equal(t, "503 unavailable (retry after forever)", RetryAfter(Forever, errFlaky).Error())
	assert.Equal(t, "503 unavailable (retry after 0s)", RetryAfter(-time.Second, errFlaky).Error())
}

func TestValidateMessagesNameForever(t *testing.T) {
	err := Policy{Initial: Forever, Max: time.Minute}.Validate()
	assert.EqualError(t, err, "backoff: invalid policy: Initial forever is above Max 1m0s")
}

func TestPolicyStringNamesTheSentinels(t *testing.T) {
	tests := []struct {
		p    Policy
		want string
	}{
		{Policy{}, "{Initial:0s Multiplier:0 Max:0s Jitter:0 MaxElapsed:0s MaxAttempts:0}"},
		{Policy{}.WithDefaults(), "{Initial:500ms Multiplier:2 Max:30s Jitter:0.5 MaxElapsed:5m0s MaxAttempts:0}"},
		{Policy{Initial: time.Second, Multiplier: 1.5, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 3},
			"{Initial:1s Multiplier:1.5 Max:forever Jitter:none MaxElapsed:forever MaxAttempts:3}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.String())
		assert.Equal(t, tt.want, fmt.Sprintf("%v", tt.p), "fmt uses String")
		assert.Equal(t, tt.want, fmt.Sprintf("%+v", tt.p), "fmt uses String")
	}
}

func TestGiveUpMessageOfRetry(t *testing.T) {
	err := Retry(t.Context(), Policy{MaxAttempts: 1}, func(context.Context) error { return errors.New("boom") })
	assert.Regexp(t, `^backoff: gave up after 1 attempt in \d+m?s: backoff: attempts exhausted: last error: boom$`, err.Error())
}
