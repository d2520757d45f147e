package backoff

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateRejectsNonsense(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want string
	}{
		{"negative initial", Policy{Initial: -1}, "Initial -1ns is negative"},
		{"negative cap", Policy{Max: -time.Second}, "Max -1s is negative"},
		{"negative deadline", Policy{MaxElapsed: -1}, "MaxElapsed -1ns is negative"},
		{"negative attempts", Policy{MaxAttempts: -3}, "MaxAttempts -3 is negative"},
		{"multiplier below one", Policy{Multiplier: 0.5}, "Multiplier 0.5 is below 1"},
		{"negative multiplier", Policy{Multiplier: -2}, "Multiplier -2 is below 1"},
		{"NaN multiplier", Policy{Multiplier: math.NaN()}, "Multiplier NaN is not a finite number"},
		{"infinite multiplier", Policy{Multiplier: math.Inf(1)}, "Multiplier +Inf is not a finite number"},
		{"jitter above one", Policy{Jitter: 1.5}, "Jitter 1.5 is outside [0, 1]"},
		{"negative jitter", Policy{Jitter: -0.1}, "Jitter -0.1 is outside [0, 1]"},
		{"NaN jitter", Policy{Jitter: math.NaN()}, "Jitter NaN is outside [0, 1]"},
		{"initial above cap", Policy{Initial: time.Minute, Max: 30 * time.Second}, "Initial 1m0s is above Max 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			require.ErrorIs(t, err, ErrInvalidPolicy)
			assert.Contains(t, err.Error(), tt.want)
			_, err = NewSchedule(tt.p)
			assert.ErrorIs(t, err, ErrInvalidPolicy, "NewSchedule must refuse what Validate refuses")
		})
	}
}

func TestValidateAcceptsZeroAndSentinels(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
	}{
		{"zero policy", Policy{}},
		{"no jitter", Policy{Jitter: NoJitter}},
		{"full jitter", Policy{Jitter: 1}},
		{"forever", Policy{Max: Forever, MaxElapsed: Forever}},
		{"constant delay", Policy{Multiplier: 1}},
		{"huge multiplier", Policy{Multiplier: 1e300}},
		{"one attempt", Policy{MaxAttempts: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NoError(t, tt.p.Validate())
		})
	}
}

func TestZeroPolicyMeansDocumentedDefaults(t *testing.T) {
	got := Policy{}.WithDefaults()
	assert.Equal(t, Policy{
		Initial: DefaultInitial, Multiplier: DefaultMultiplier, Max: DefaultMax,
		Jitter: DefaultJitter, MaxElapsed: DefaultMaxElapsed,
	}, got)
	assert.Equal(t, got, got.WithDefaults(), "WithDefaults must be idempotent")
	assert.Equal(t, NoJitter, Policy{Jitter: NoJitter}.WithDefaults().Jitter, "NoJitter must survive WithDefaults")
}

func TestDelayGrowsThenStopsAtCap(t *testing.T) {
	p := Policy{Initial: time.Second, Multiplier: 3, Max: 20 * time.Second}
	want := []time.Duration{0, time.Second, 3 * time.Second, 9 * time.Second, 20 * time.Second, 20 * time.Second}
	for n, w := range want {
		assert.Equal(t, w, p.Delay(n), "Delay(%d)", n)
	}
}

func TestDelaySaturates(t *testing.T) {
	const years290 = 290 * 365 * 24 * time.Hour
	tests := []struct {
		name string
		p    Policy
		n    int
		want time.Duration
	}{
		{"attempt 10,000 at the default cap", Policy{}, 10_000, DefaultMax},
		{"multiplier 1e300", Policy{Multiplier: 1e300, Max: time.Hour}, 3, time.Hour},
		{"290-year cap", Policy{Max: years290}, 10_000, years290},
		{"no cap at all", Policy{Max: Forever, Multiplier: 1e300}, 10_000, Forever},
		{"no cap, attempt max int", Policy{Max: Forever}, math.MaxInt, Forever},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.Delay(tt.n)
			assert.Equal(t, tt.want, got)
			assert.Positive(t, got)
		})
	}
}

func TestJitterNeverExceedsCapNorGoesNegative(t *testing.T) {
	r := Policy{Jitter: 1, Max: Forever, Multiplier: 1e300}.WithDefaults()
	for _, u := range []float64{0, 0.25, 0.5, 0.999999} {
		for _, n := range []int{1, 2, 100, math.MaxInt} {
			d := r.delay(n, u)
			assert.GreaterOrEqual(t, d, time.Duration(0), "n=%d u=%v", n, u)
			assert.LessOrEqual(t, d, r.Max, "n=%d u=%v", n, u)
		}
	}
}

func TestSpreadIsTheScheduleJitterFormula(t *testing.T) {
	p := Policy{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}
	assert.Equal(t, 100*time.Millisecond, p.Spread(100*time.Millisecond, 0.5), "u=0.5 leaves d as it is")
	assert.Equal(t, 50*time.Millisecond, p.Spread(100*time.Millisecond, 0), "u=0 is d·(1-Jitter)")
	assert.Equal(t, time.Second, p.Spread(900*time.Millisecond, 0.99), "capped at Max")
	assert.Equal(t, time.Second, p.Spread(time.Hour, 0.5), "d above Max is Max")
	assert.Equal(t, time.Duration(0), p.Spread(-time.Second, 0.5), "a negative d is 0")
	assert.Equal(t, 50*time.Millisecond, p.Spread(100*time.Millisecond, -3), "u below 0 is clamped")
	assert.Equal(t, 100*time.Millisecond, Policy{Jitter: NoJitter}.Spread(100*time.Millisecond, 0), "NoJitter only caps")
}
