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

func TestFromWaitConvertsEachField(t *testing.T) {
	tests := []struct {
		name string
		in   wait.Backoff
		want Policy
	}{
		{
			name: "client-go's DefaultRetry: the first band's middle, the same width",
			in:   wait.Backoff{Steps: 5, Duration: 10 * time.Millisecond, Factor: 1.0, Jitter: 0.1},
			want: Policy{Initial: 10500 * time.Microsecond, Multiplier: 1, Max: Forever, Jitter: 0.1 / 2.1, MaxElapsed: Forever, MaxAttempts: 5},
		},
		{
			name: "capped, no jitter: the same numbers",
			in:   wait.Backoff{Steps: 10, Duration: time.Second, Factor: 2, Cap: time.Minute},
			want: Policy{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 10},
		},
		{
			name: "capped and jittered: Max is wait's longest delay",
			in:   wait.Backoff{Steps: 10, Duration: time.Second, Factor: 2, Cap: time.Minute, Jitter: 1},
			want: Policy{Initial: 1500 * time.Millisecond, Multiplier: 2, Max: 2 * time.Minute, Jitter: 1.0 / 3, MaxElapsed: Forever, MaxAttempts: 10},
		},
		{
			name: "a Duration above Cap is lowered to Cap",
			in:   wait.Backoff{Steps: 3, Duration: time.Second, Factor: 2, Cap: 100 * time.Millisecond},
			want: Policy{Initial: 100 * time.Millisecond, Multiplier: 2, Max: 100 * time.Millisecond, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 3},
		},
		{
			name: "no steps means a constant delay, unbounded",
			in:   wait.Backoff{Duration: time.Second, Factor: 3, Jitter: 4},
			want: Policy{Initial: 3 * time.Second, Multiplier: 1, Max: Forever, Jitter: 4.0 / 6, MaxElapsed: Forever},
		},
		{
			name: "a shrinking Factor becomes 1",
			in:   wait.Backoff{Steps: 4, Duration: time.Second, Factor: 0.5},
			want: Policy{Initial: time.Second, Multiplier: 1, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 4},
		},
		{
			name: "nonsense is made sane",
			in:   wait.Backoff{Duration: -time.Second, Factor: math.NaN(), Jitter: math.NaN(), Steps: -1, Cap: -1},
			want: Policy{Multiplier: 1, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever},
		},
		{
			name: "infinities are no growth and no jitter",
			in:   wait.Backoff{Duration: time.Second, Factor: math.Inf(1), Jitter: math.Inf(1), Steps: 2},
			want: Policy{Initial: time.Second, Multiplier: 1, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever, MaxAttempts: 2},
		},
		{
			name: "huge values saturate",
			in:   wait.Backoff{Duration: Forever, Factor: 1e308, Jitter: 1e300, Steps: 1, Cap: Forever / 2},
			want: Policy{Initial: Forever, Multiplier: 1e308, Max: Forever, Jitter: 1, MaxElapsed: Forever, MaxAttempts: 1},
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

func TestFromWaitOfAZeroDurationIsTheDefaultInitialUnderCap(t *testing.T) {
	p := FromWait(wait.Backoff{Steps: 3, Factor: 2, Cap: 100 * time.Millisecond})
	require.NoError(t, p.Validate())
	assert.Zero(t, p.Initial)
	assert.Equal(t, 100*time.Millisecond, p.WithDefaults().Initial)
	assert.Equal(t, DefaultInitial, FromWait(wait.Backoff{Steps: 3}).WithDefaults().Initial)
}

func TestFromWaitWithoutJitterGivesWaitsDelaysExactly(t *testing.T) {
	b := wait.Backoff{Steps: 9, Duration: 3 * time.Millisecond, Factor: 1.5, Cap: 200 * time.Millisecond}
	s, err := NewSchedule(FromWait(b))
	require.NoError(t, err)
	w := b // Step counts w's Steps down
	for n := 1; n < b.Steps; n++ {
		want := w.Step()
		got, ok := s.Next()
		require.True(t, ok)
		assert.Equal(t, want, got, "retry %d", n)
	}
	_, ok := s.Next()
	assert.False(t, ok, "Steps attempts, so Steps-1 waits")
}

// band returns the lowest and the highest delay r can draw before retry n.
func band(r Policy, n int) (lo, hi time.Duration) {
	return r.delay(n, 0), r.delay(n, math.Nextafter(1, 0))
}

// checkFromWaitBands asserts FromWait's claims for b over its first retries: before the cap the
// Policy draws from wait's band [d, d·(1+J)] by the same formula, after it within [Cap, Cap·(1+J)].
// tol returns the rounding allowed at retry n.
func checkFromWaitBands(t *testing.T, b wait.Backoff, retries int) {
	t.Helper()
	r := FromWait(b).WithDefaults()
	j := b.Jitter
	un := b
	un.Jitter = 0 // wait's delays before jitter
	capped := false
	retries = min(retries, b.Steps-1) // the waits of wait.ExponentialBackoff
	for n := 1; n <= retries; n++ {
		if float64(un.Duration)*max(un.Factor, 1)*(1+j) > 1<<52 {
			return // past where wait's own arithmetic stays exact
		}
		d := un.Step()
		if n == 1 && b.Cap > 0 && d > b.Cap {
			capped = true // the documented exception: a Duration above Cap is lowered to it
			continue
		}
		capped = capped || (b.Cap > 0 && d == b.Cap && n > 1)
		tol := float64(n+1)*math.Pow(max(b.Factor, 1), float64(n-1))*(1+j) + 1e-12*float64(d)*float64(n) + 2
		lo, hi := band(r, n)
		if !capped {
			for _, u := range []float64{0, 0.25, 0.5, 0.75, math.Nextafter(1, 0)} {
				want := float64(d) * (1 + j*u) // wait: d plus u·J·d
				assert.InDelta(t, want, float64(r.delay(n, u)), tol, "%+v retry %d u=%v", b, n, u)
			}
			continue
		}
		assert.GreaterOrEqual(t, float64(lo), float64(b.Cap)-tol, "%+v retry %d: below wait's band at the cap", b, n)
		assert.LessOrEqual(t, float64(hi), float64(b.Cap)*(1+j)+tol, "%+v retry %d: above wait's band at the cap", b, n)
	}
}

func TestFromWaitDrawsFromWaitsBands(t *testing.T) {
	for _, b := range []wait.Backoff{
		{Steps: 12, Duration: 10 * time.Millisecond, Factor: 2, Jitter: 0.1},
		{Steps: 12, Duration: 10 * time.Millisecond, Factor: 2, Jitter: 1, Cap: time.Second},
		{Steps: 12, Duration: time.Millisecond, Factor: 1.7, Jitter: 3, Cap: 50 * time.Millisecond},
		{Steps: 5, Duration: 100 * time.Millisecond, Factor: 1, Jitter: 0.5},
	} {
		checkFromWaitBands(t, b, b.Steps-1)
	}
}

func TestFromWaitBandsHoldWaitsOwnJitteredDelays(t *testing.T) {
	b := wait.Backoff{Steps: 10, Duration: 10 * time.Millisecond, Factor: 2, Jitter: 0.6, Cap: time.Second}
	r := FromWait(b).WithDefaults()
	for range 200 {
		w, un := b, b
		un.Jitter = 0
		for n := 1; n < b.Steps; n++ {
			got := w.Step() // wait's real, randomly jittered delay
			if un.Step() >= b.Cap {
				break // at the cap the Policy's band is inside wait's, not the other way
			}
			lo, hi := band(r, n)
			assert.GreaterOrEqual(t, got, lo-2, "retry %d", n)
			assert.LessOrEqual(t, got, hi+2, "retry %d", n)
		}
	}
}

func TestFromWaitStepsBoundTheAttempts(t *testing.T) {
	b := wait.Backoff{Steps: 4, Duration: time.Nanosecond, Factor: 1}
	calls := 0
	err := Retry(t.Context(), FromWait(b), func(context.Context) error { calls++; return errFlaky })
	assert.ErrorIs(t, err, ErrMaxAttempts)
	assert.Equal(t, 4, calls)
	waitCalls := 0
	_ = wait.ExponentialBackoff(b, func() (bool, error) { waitCalls++; return false, nil })
	assert.Equal(t, waitCalls, calls, "as many calls as wait.ExponentialBackoff makes")
}

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
