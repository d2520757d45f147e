package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zeroed returns p with the fields whose bit is set in mask made zero.
func zeroed(p Policy, mask int) Policy {
	if mask&1 != 0 {
		p.Initial = 0
	}
	if mask&2 != 0 {
		p.Multiplier = 0
	}
	if mask&4 != 0 {
		p.Max = 0
	}
	if mask&8 != 0 {
		p.Jitter = 0
	}
	if mask&16 != 0 {
		p.MaxElapsed = 0
	}
	if mask&32 != 0 {
		p.MaxAttempts = 0
	}
	return p
}

// checkZeroFieldsMeanDefaults asserts that every way of zeroing fields of the valid policy p
// gives a valid policy whose set fields are kept and whose zero fields take their defaults.
func checkZeroFieldsMeanDefaults(t *testing.T, p Policy) {
	t.Helper()
	for mask := range 64 {
		q := zeroed(p, mask)
		if err := q.Validate(); err != nil {
			t.Fatalf("%+v (zero fields of the valid %+v): %v", q, p, err)
		}
		r := q.WithDefaults()
		want := Policy{Initial: q.Initial, Multiplier: q.Multiplier, Max: q.Max, Jitter: q.Jitter,
			MaxElapsed: q.MaxElapsed, MaxAttempts: q.MaxAttempts}
		if want.Max == 0 {
			want.Max = max(DefaultMax, q.Initial)
		}
		if want.Initial == 0 {
			want.Initial = min(DefaultInitial, want.Max)
		}
		if want.Multiplier == 0 {
			want.Multiplier = DefaultMultiplier
		}
		if want.Jitter == 0 {
			want.Jitter = DefaultJitter
		}
		if want.MaxElapsed == 0 {
			want.MaxElapsed = DefaultMaxElapsed
		}
		if r != want {
			t.Fatalf("%+v.WithDefaults() = %+v, want %+v", q, r, want)
		}
	}
}

func TestZeroFieldsAreValidWithAnySetFields(t *testing.T) {
	durations := []time.Duration{time.Nanosecond, 100 * time.Millisecond, DefaultInitial, time.Minute, time.Hour, Forever}
	for _, initial := range durations {
		for _, maxd := range durations {
			if initial > maxd {
				continue // invalid with both set; zeroing either must make it valid
			}
			for _, mult := range []float64{1, 1.5, 1e300} {
				for _, jitter := range []float64{NoJitter, 0.3, 1} {
					for _, elapsed := range []time.Duration{time.Nanosecond, time.Second, Forever} {
						p := Policy{Initial: initial, Multiplier: mult, Max: maxd, Jitter: jitter,
							MaxElapsed: elapsed, MaxAttempts: 5}
						checkZeroFieldsMeanDefaults(t, p)
					}
				}
			}
		}
	}
}

func TestDefaultInitialIsLoweredToASetMax(t *testing.T) {
	p := Policy{Max: 100 * time.Millisecond}
	require.NoError(t, p.Validate())
	assert.Equal(t, 100*time.Millisecond, p.WithDefaults().Initial)
	assert.Equal(t, 100*time.Millisecond, p.Delay(1))
	assert.Equal(t, DefaultInitial, Policy{Max: time.Minute}.WithDefaults().Initial, "a longer Max keeps the default")
}

func TestDefaultMaxIsRaisedToASetInitial(t *testing.T) {
	p := Policy{Initial: time.Minute}
	require.NoError(t, p.Validate())
	assert.Equal(t, time.Minute, p.WithDefaults().Max)
	assert.Equal(t, time.Minute, p.Delay(5), "the delay stays at the set Initial")
	assert.Equal(t, DefaultMax, Policy{Initial: time.Second}.WithDefaults().Max, "a shorter Initial keeps the default")
}
