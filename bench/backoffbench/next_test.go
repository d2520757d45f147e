package backoffbench

import (
	"math"
	"testing"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"

	"github.com/steadfast-go/steadfast/backoff"
)

var sink time.Duration

// BenchmarkNext measures computing one delay: steadfast's Schedule.Next (deadline-bounded,
// jittered, capped) against the same step in each anchor with the same parameters.
func BenchmarkNext(b *testing.B) {
	p := backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	b.Run("steadfast", func(b *testing.B) {
		s, err := backoff.NewSchedule(p)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%16 == 0 {
				s.Reset()
			}
			sink, _ = s.Next()
		}
	})
	b.Run("cenkalti", func(b *testing.B) {
		e := cbackoff.NewExponentialBackOff()
		e.InitialInterval, e.MaxInterval, e.MaxElapsedTime = 10*time.Millisecond, time.Second, 0
		e.Multiplier, e.RandomizationFactor = 2, 0.5
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%16 == 0 {
				e.Reset()
			}
			sink = e.NextBackOff()
		}
	})
	b.Run("wait", func(b *testing.B) {
		w := p.ToWait()
		w.Steps = math.MaxInt32
		cur := w
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%16 == 0 {
				cur = w
			}
			sink = cur.Step()
		}
	})
}

// BenchmarkNextWithDeadline is BenchmarkNext with a deadline, which costs each side a clock read
// per delay (wait.Backoff has no deadline, so it is not in this comparison).
func BenchmarkNextWithDeadline(b *testing.B) {
	p := backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: time.Hour}
	b.Run("steadfast", func(b *testing.B) {
		s, err := backoff.NewSchedule(p)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%16 == 0 {
				s.Reset()
			}
			sink, _ = s.Next()
		}
	})
	b.Run("cenkalti", func(b *testing.B) {
		e := cbackoff.NewExponentialBackOff()
		e.InitialInterval, e.MaxInterval, e.MaxElapsedTime = 10*time.Millisecond, time.Second, time.Hour
		e.Multiplier, e.RandomizationFactor = 2, 0.5
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%16 == 0 {
				e.Reset()
			}
			sink = e.NextBackOff()
		}
	})
}
