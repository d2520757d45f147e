package backoff

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/util/wait"
)

func TestFromWaitKeepsTheDelays(t *testing.T) {
	tests := []struct {
		name string
		in   wait.Backoff
		want Policy
	}{
		{
			name: "client-go's DefaultRetry",
			in:   wait.Backoff{Steps: 5, Duration: 10 * time.Millisecond, Factor: 1.0, Jitter: 0.1},
			want: Policy{Initial: 10 * time.Millisecond, Multiplier: 1, Max: Forever, Jitter: 0.05, MaxElapsed: Forever, MaxAttempts: 5},
		},
		{
			name: "capped exponential",
			in:   wait.Backoff{Steps: 10, Duration: time.Second, Factor: 2, Cap: time.Minute},
			want: Policy{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 10},
		},
		{
			name: "no steps means a constant delay, unbounded",
			in:   wait.Backoff{Duration: time.Second, Factor: 3, Jitter: 4},
			want: Policy{Initial: time.Second, Multiplier: 1, Max: Forever, Jitter: 1, MaxElapsed: Forever},
		},
		{
			name: "nonsense is made sane",
			in:   wait.Backoff{Duration: -time.Second, Factor: math.NaN(), Jitter: math.NaN(), Steps: -1, Cap: -1},
			want: Policy{Multiplier: 1, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromWait(tt.in)
			assert.Equal(t, tt.want, got)
			assert.NoError(t, got.Validate(), "FromWait must always give a valid policy")
		})
	}
}

func TestToWaitRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
	}{
		{"capped, jittered, bounded", Policy{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: 0.25, MaxElapsed: Forever, MaxAttempts: 7}},
		{"uncapped, no jitter", Policy{Initial: time.Millisecond, Multiplier: 1.5, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.p, FromWait(tt.p.ToWait()))
		})
	}
}

func TestToWaitOfTheZeroPolicy(t *testing.T) {
	assert.Equal(t, wait.Backoff{Duration: DefaultInitial, Factor: DefaultMultiplier, Jitter: 2 * DefaultJitter,
		Steps: math.MaxInt32, Cap: DefaultMax}, Policy{}.ToWait())
}

func TestToWaitDrivesExponentialBackoff(t *testing.T) {
	calls := 0
	b := Policy{Initial: time.Nanosecond, Jitter: NoJitter, MaxAttempts: 4}.ToWait()
	err := wait.ExponentialBackoffWithContext(context.Background(), b, func(context.Context) (bool, error) {
		calls++
		return false, nil
	})
	assert.Error(t, err)
	assert.Equal(t, 4, calls, "MaxAttempts becomes wait's Steps")
}
