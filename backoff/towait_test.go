package backoff

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"
)

func TestToWaitKeepsTheBandUnderMax(t *testing.T) {
	tests := []struct {
		name   string
		p      Policy
		lowEnd float64 // the band's lower end, as a fraction of the delay before jitter
	}{
		{"the zero policy", Policy{}, 0.5},
		{"no jitter", Policy{Initial: time.Second, Multiplier: 1.5, Max: time.Minute, Jitter: NoJitter}, 1},
		{"small jitter, no cap", Policy{Initial: 10 * time.Millisecond, Max: Forever, Jitter: 0.1}, 0.9},
		{"jitter 0.9", Policy{Initial: time.Second, Max: time.Hour, Jitter: 0.9}, 0.1},
		{"full jitter: the lower end is raised to a tenth", Policy{Initial: time.Second, Max: time.Hour, Jitter: 1}, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.p.WithDefaults()
			w := tt.p.ToWait()
			j := max(r.Jitter, 0)
			for n := 1; n <= 20; n++ {
				d := float64(r.Initial) * math.Pow(r.Multiplier, float64(n-1))
				if d*(1+j) > float64(r.Max) {
					break // the claim covers bands that end at or below Max
				}
				wd := float64(w.Duration) * math.Pow(w.Factor, float64(n-1)) // wait: [wd, wd·(1+J)]
				assert.InEpsilon(t, d*tt.lowEnd, wd, 1e-9, "retry %d: lower end", n)
				assert.InEpsilon(t, d*(1+j), wd*(1+w.Jitter), 1e-9, "retry %d: upper end", n)
			}
		})
	}
}

func TestToWaitNeverDrawsPastMax(t *testing.T) {
	for _, p := range []Policy{
		{},
		{Initial: time.Second, Max: time.Second, Jitter: 0.5},
		{Initial: time.Second, Max: 5 * time.Second, Jitter: 1, Multiplier: 3},
		{Initial: 20 * time.Nanosecond, Max: 20 * time.Nanosecond, Jitter: 1},
		{Initial: time.Millisecond, Max: 7 * time.Millisecond, Jitter: 0.3, Multiplier: 1.1},
	} {
		r := p.WithDefaults()
		w := p.ToWait()
		longest := float64(max(w.Duration, w.Cap)) * (1 + w.Jitter) // wait's band at its cap
		assert.LessOrEqual(t, longest, float64(r.Max), "%+v: wait's longest delay", p)
		for range 100 {
			w := p.ToWait()
			for n := 1; n <= 40; n++ {
				d := w.Step()
				require.LessOrEqual(t, d, r.Max, "%+v retry %d", p, n)
				require.Positive(t, d, "%+v retry %d: wait never waits less than its Duration", p, n)
			}
		}
	}
}

func TestToWaitOfTheZeroPolicy(t *testing.T) {
	assert.Equal(t, wait.Backoff{Duration: DefaultInitial / 2, Factor: DefaultMultiplier, Jitter: 2,
		Steps: math.MaxInt32, Cap: DefaultMax / 3}, Policy{}.ToWait(),
		"the band [250ms, 750ms] around 500ms; at the cap [10s, 30s]")
}

func TestToWaitDropsTheDeadlineAndMapsForeverToNoCap(t *testing.T) {
	w := Policy{Max: Forever, MaxElapsed: time.Second, MaxAttempts: 3}.ToWait()
	assert.Zero(t, w.Cap)
	assert.Equal(t, 3, w.Steps)
}

func TestToWaitRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
	}{
		{"capped, jittered, bounded", Policy{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: 0.25, MaxElapsed: Forever, MaxAttempts: 7}},
		{"uncapped, no jitter", Policy{Initial: time.Millisecond, Multiplier: 1.5, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 3}},
		{"jitter 0.9", Policy{Initial: 3 * time.Millisecond, Multiplier: 1.1, Max: time.Hour, Jitter: 0.9, MaxElapsed: Forever, MaxAttempts: 30}},
		{"defaults", Policy{MaxElapsed: Forever, MaxAttempts: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertPoliciesNear(t, tt.p.WithDefaults(), FromWait(tt.p.ToWait()))
		})
	}
}

// assertPoliciesNear asserts got is want up to rounding to whole nanoseconds.
func assertPoliciesNear(t *testing.T, want, got Policy) {
	t.Helper()
	lo := max(1-max(want.Jitter, 0), waitMinLow)
	slack := 2 + 2/lo // a nanosecond of rounding, scaled by the conversion
	assert.InDelta(t, float64(want.Initial), float64(got.Initial), slack, "Initial")
	assert.InDelta(t, float64(want.Max), float64(got.Max), slack*(1+max(want.Jitter, 0)), "Max")
	assert.InDelta(t, want.Jitter, got.Jitter, 1e-12, "Jitter")
	assert.Equal(t, want.Multiplier, got.Multiplier, "Multiplier")
	assert.Equal(t, want.MaxElapsed, got.MaxElapsed, "MaxElapsed")
	assert.Equal(t, want.MaxAttempts, got.MaxAttempts, "MaxAttempts")
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

// TestFromWaitOfToWaitIsThePolicy is the round trip over seeded random policies that meet
// ToWait's conditions, with FromWait's band claims checked on each wait.Backoff on the way.
func TestFromWaitOfToWaitIsThePolicy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for checked := 0; checked < 300; {
		p := Policy{Initial: time.Duration(rng.Int64N(int64(time.Hour))), Multiplier: 1 + rng.Float64()*5,
			Max: time.Duration(rng.Int64N(int64(10 * time.Hour))), Jitter: rng.Float64(), MaxElapsed: Forever,
			MaxAttempts: 2 + rng.IntN(50)}
		r := p.WithDefaults()
		if p.Validate() != nil || r.Jitter > 0.9 || float64(r.Initial)*(1+r.Jitter) > float64(r.Max) || r.Initial < time.Microsecond {
			continue
		}
		checked++
		assertPoliciesNear(t, r, FromWait(p.ToWait()))
		checkFromWaitBands(t, p.ToWait(), 60)
		if t.Failed() {
			t.Fatalf("%+v -> %+v -> %+v", r, p.ToWait(), FromWait(p.ToWait()))
		}
	}
}
