package backoffbench

import (
	"math"
	"testing"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"

	"github.com/steadfast-go/steadfast/backoff"
)

var sink time.Duration

// loop calls next b.N times, calling reset every 16 delays so each side spends its time in the
// growing part of the schedule, as a retry loop does, not pinned at the cap.
func loop(b *testing.B, next func() time.Duration, reset func()) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%16 == 0 {
			reset()
		}
		sink = next()
	}
}

func ours(b *testing.B, p backoff.Policy) {
	s, err := backoff.NewSchedule(p)
	if err != nil {
		b.Fatal(err)
	}
	loop(b, func() time.Duration { d, _ := s.Next(); return d }, s.Reset)
}

func cenkalti(b *testing.B, maxElapsed time.Duration) {
	e := cbackoff.NewExponentialBackOff()
	e.InitialInterval, e.MaxInterval, e.MaxElapsedTime = 10*time.Millisecond, time.Second, maxElapsed
	e.Multiplier, e.RandomizationFactor = 2, 0.5
	loop(b, e.NextBackOff, e.Reset)
}

// BenchmarkNext measures computing one delay: steadfast's Schedule.Next (jittered, capped, no
// deadline) against the same step in each anchor with the same parameters.
func BenchmarkNext(b *testing.B) {
	p := backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
	b.Run("steadfast", func(b *testing.B) { ours(b, p) })
	b.Run("cenkalti", func(b *testing.B) { cenkalti(b, 0) })
	b.Run("wait", func(b *testing.B) {
		w := p.ToWait()
		w.Steps = math.MaxInt32
		cur := w
		loop(b, cur.Step, func() { cur = w })
	})
}

// BenchmarkNextWithDeadline is BenchmarkNext with a deadline, which costs each side a clock read
// per delay (wait.Backoff has no deadline, so it is not in this comparison).
func BenchmarkNextWithDeadline(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		ours(b, backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: time.Hour})
	})
	b.Run("cenkalti", func(b *testing.B) { cenkalti(b, time.Hour) })
}
