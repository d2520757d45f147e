package backoff

import (
	"context"
	"math"
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
