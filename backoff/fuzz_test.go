package backoff

import (
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzScheduleBounds drives a schedule made from arbitrary policy fields and asserts, for every
// delay, 0 <= delay <= Max, and that no attempt is scheduled past the deadline.
func FuzzScheduleBounds(f *testing.F) {
	f.Add(int64(0), 0.0, int64(0), 0.0, int64(0), 0, uint16(20), int64(0), uint64(1))
	f.Add(int64(time.Millisecond), 1e300, int64(290*365*24*time.Hour), 1.0, int64(time.Hour), 0, uint16(10000), int64(time.Second), uint64(2))
	f.Add(int64(1), 1.0, int64(Forever), NoJitter, int64(Forever), 3, uint16(50), int64(1), uint64(3))
	f.Fuzz(func(t *testing.T, initial int64, mult float64, maxd int64, jitter float64, elapsed int64,
		attempts int, steps uint16, took int64, seed uint64) {
		p := Policy{Initial: time.Duration(initial), Multiplier: mult, Max: time.Duration(maxd),
			Jitter: jitter, MaxElapsed: time.Duration(elapsed), MaxAttempts: attempts}
		s, err := NewSchedule(p)
		if err != nil {
			return // Validate refused it; that it did not panic is the check
		}
		r := s.Policy()
		clock := time.Unix(0, 0)
		s.now = func() time.Time { return clock }
		s.rand = rand.New(rand.NewPCG(seed, 0)).Float64
		attemptTook := time.Duration(max(took, 0) % int64(time.Hour))
		var spent time.Duration // since the first failure, saturating
		for n := 1; n <= int(steps); n++ {
			d, ok := s.Next()
			if !ok {
				return
			}
			if d < 0 || d > r.Max {
				t.Fatalf("retry %d: delay %v outside [0, %v]", n, d, r.Max)
			}
			if r.MaxElapsed != Forever && spent+d > r.MaxElapsed {
				t.Fatalf("retry %d: attempt at %v, past the deadline %v", n, spent+d, r.MaxElapsed)
			}
			if r.MaxAttempts > 0 && n >= r.MaxAttempts {
				t.Fatalf("retry %d scheduled with MaxAttempts %d", n, r.MaxAttempts)
			}
			step := min(d, Forever-spent)
			step = min(step+attemptTook, Forever-spent)
			spent += step
			clock = clock.Add(step)
		}
	})
}
