package backoff

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
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

// FuzzPolicyValidate checks Validate against its documented conditions over arbitrary field
// values, that every zero-field combination of a valid policy is valid and means its defaults,
// and that Delay never panics and stays within [0, Max] for a valid policy.
func FuzzPolicyValidate(f *testing.F) {
	f.Add(int64(0), 0.0, int64(100*time.Millisecond), 0.0, int64(0), 0, 3)
	f.Add(int64(time.Minute), 0.0, int64(0), 0.0, int64(0), 0, 1)
	f.Add(int64(time.Minute), 2.0, int64(time.Second), 0.5, int64(time.Hour), 4, 7)
	f.Add(int64(Forever), 1e308, int64(0), NoJitter, int64(Forever), -1, 1<<20)
	f.Fuzz(func(t *testing.T, initial int64, mult float64, maxd int64, jitter float64, elapsed int64, attempts, n int) {
		p := Policy{Initial: time.Duration(initial), Multiplier: mult, Max: time.Duration(maxd),
			Jitter: jitter, MaxElapsed: time.Duration(elapsed), MaxAttempts: attempts}
		d := p.Delay(n) // must not panic, valid or not
		wantValid := initial >= 0 && maxd >= 0 && elapsed >= 0 && attempts >= 0 &&
			!math.IsNaN(mult) && !math.IsInf(mult, 0) && (mult == 0 || mult >= 1) &&
			(jitter == NoJitter || (jitter >= 0 && jitter <= 1)) &&
			(initial == 0 || maxd == 0 || initial <= maxd)
		err := p.Validate()
		if (err == nil) != wantValid {
			t.Fatalf("%+v: Validate() = %v, want valid %v", p, err, wantValid)
		}
		if err != nil {
			return
		}
		checkZeroFieldsMeanDefaults(t, p)
		r := p.WithDefaults()
		if d < 0 || d > r.Max {
			t.Fatalf("%+v: Delay(%d) = %v outside [0, %v]", p, n, d, r.Max)
		}
		if _, err := NewSchedule(p); err != nil {
			t.Fatalf("NewSchedule(%+v) refused a valid policy: %v", p, err)
		}
	})
}

// FuzzFromWait checks that FromWait of any wait.Backoff validates, keeps Steps and has no
// deadline, and, where wait's own arithmetic is sane, draws from wait's bands.
func FuzzFromWait(f *testing.F) {
	f.Add(int64(10*time.Millisecond), 1.0, 0.1, 5, int64(0))
	f.Add(int64(time.Second), 2.0, 0.0, 10, int64(100*time.Millisecond))
	f.Add(int64(0), 0.0, 0.0, 0, int64(100*time.Millisecond))
	f.Add(int64(time.Millisecond), 1.7, 3.0, 20, int64(50*time.Millisecond))
	f.Add(int64(Forever), math.Inf(1), math.NaN(), -1, int64(-1))
	f.Fuzz(func(t *testing.T, duration int64, factor, jitter float64, steps int, cap int64) {
		b := wait.Backoff{Duration: time.Duration(duration), Factor: factor, Jitter: jitter, Steps: steps, Cap: time.Duration(cap)}
		p := FromWait(b)
		if err := p.Validate(); err != nil {
			t.Fatalf("FromWait(%+v) = %+v: %v", b, p, err)
		}
		if p.MaxElapsed != Forever || p.MaxAttempts != max(steps, 0) {
			t.Fatalf("FromWait(%+v) = %+v: MaxElapsed must be Forever and MaxAttempts the Steps", b, p)
		}
		if p.Max < Forever && p.Max < time.Duration(cap) {
			t.Fatalf("FromWait(%+v) = %+v: Max below Cap", b, p)
		}
		sane := duration > 0 && factor >= 1 && factor < 1e6 && jitter >= 0 && jitter <= 100 && steps > 1
		if sane {
			checkFromWaitBands(t, b, min(steps-1, 40))
		}
	})
}

// FuzzToWait checks that ToWait of any valid policy gives a wait.Backoff whose delays are
// positive and never longer than Max (for a Max of 20ns or more), and that FromWait brings the
// policy back under the documented conditions.
func FuzzToWait(f *testing.F) {
	f.Add(int64(0), 0.0, int64(0), 0.0, 0, uint64(1))
	f.Add(int64(time.Second), 1.5, int64(time.Second), 1.0, 3, uint64(2))
	f.Add(int64(3*time.Millisecond), 1.1, int64(time.Hour), 0.9, 30, uint64(3))
	f.Fuzz(func(t *testing.T, initial int64, mult float64, maxd int64, jitter float64, attempts int, seed uint64) {
		p := Policy{Initial: time.Duration(initial), Multiplier: mult, Max: time.Duration(maxd), Jitter: jitter,
			MaxElapsed: Forever, MaxAttempts: attempts}
		if p.Validate() != nil {
			return
		}
		r := p.WithDefaults()
		w := p.ToWait()
		if r.Max >= 20 && r.Multiplier < 1e6 && float64(r.Max) < 1<<52 {
			for n := 1; n <= 30; n++ {
				if d := w.Step(); d <= 0 || d > r.Max {
					t.Fatalf("%+v.ToWait() = %+v: retry %d waits %v, outside (0, %v]", p, p.ToWait(), n, d, r.Max)
				}
			}
		}
		fits := float64(r.Initial)*(1+max(r.Jitter, 0)) <= float64(r.Max)
		if r.Jitter <= 0.9 && r.MaxAttempts > 0 && fits && r.Initial >= time.Microsecond && float64(r.Max) < 1<<52 {
			assertPoliciesNear(t, r, FromWait(p.ToWait()))
		}
	})
}
