package backoff

import (
	"math/rand/v2"
	"testing"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSchedule returns a schedule on a fake clock that the caller advances, with jitter drawn from
// a seeded source.
func testSchedule(t *testing.T, p Policy, seed uint64) (*Schedule, *time.Time) {
	t.Helper()
	s, err := NewSchedule(p)
	require.NoError(t, err)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	s.rand = rand.New(rand.NewPCG(seed, seed)).Float64
	return s, &clock
}

// run records a failure, waits the delay on the fake clock plus the attempt's own duration, and
// repeats until the schedule stops; it returns the delays.
func run(s *Schedule, clock *time.Time, attemptTook time.Duration) []time.Duration {
	var got []time.Duration
	for {
		d, ok := s.Next()
		if !ok {
			return got
		}
		got = append(got, d)
		*clock = clock.Add(d + attemptTook)
	}
}

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestScheduleSequences(t *testing.T) {
	tests := []struct {
		name        string
		p           Policy
		attemptTook time.Duration
		want        []time.Duration
		reason      error
	}{
		{
			name: "doubles until the attempt cap",
			p:    Policy{Initial: 100 * time.Millisecond, Jitter: NoJitter, MaxAttempts: 5},
			want: ms(100, 200, 400, 800), reason: ErrMaxAttempts,
		},
		{
			name: "the cap holds once reached",
			p:    Policy{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond, Jitter: NoJitter, MaxAttempts: 6},
			want: ms(100, 200, 300, 300, 300), reason: ErrMaxAttempts,
		},
		{
			name: "the last delay is clipped to land on the deadline",
			p:    Policy{Initial: 100 * time.Millisecond, Jitter: NoJitter, MaxElapsed: time.Second},
			want: ms(100, 200, 400, 300), reason: ErrDeadline,
		},
		{
			name: "time spent in attempts counts against the deadline",
			p:    Policy{Initial: 100 * time.Millisecond, Jitter: NoJitter, MaxElapsed: time.Second},
			// after each failure: 0, 150, 400, 850 elapsed; the fourth delay gets the last 150.
			attemptTook: 50 * time.Millisecond, want: ms(100, 200, 400, 150), reason: ErrDeadline,
		},
		{
			name: "one attempt means no retry",
			p:    Policy{MaxAttempts: 1},
			want: nil, reason: ErrMaxAttempts,
		},
		{
			name: "jittered with a seeded source, first retry included",
			p:    Policy{Initial: 100 * time.Millisecond, Jitter: 0.5, MaxAttempts: 5},
			// bands [50,150], [100,300], [200,600], [400,1200] ms
			want: []time.Duration{84028597, 281991587, 531513942, 1058668597}, reason: ErrMaxAttempts,
		},
		{
			name: "full jitter never passes the cap",
			p:    Policy{Initial: 400 * time.Millisecond, Max: 500 * time.Millisecond, Jitter: 1, MaxAttempts: 5},
			// bands [0,800] then [0,1000] and above, each capped at 500 ms
			want: []time.Duration{272228782, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}, reason: ErrMaxAttempts,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := testSchedule(t, tt.p, 1)
			got := run(s, clock, tt.attemptTook)
			assert.Equal(t, tt.want, got)
			assert.ErrorIs(t, s.Reason(), tt.reason)
			d, ok := s.Next()
			assert.False(t, ok, "a stopped schedule stays stopped")
			assert.Zero(t, d)
		})
	}
}

func TestScheduleJitterStaysInItsBand(t *testing.T) {
	p := Policy{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.3, MaxElapsed: Forever}
	for seed := range uint64(50) {
		s, _ := testSchedule(t, p, seed)
		for n := 1; n <= 12; n++ {
			d, ok := s.Next()
			require.True(t, ok)
			base := float64(p.Delay(n))
			assert.GreaterOrEqual(t, float64(d), base*0.7-1, "seed %d retry %d", seed, n)
			assert.LessOrEqual(t, float64(d), min(base*1.3+1, float64(p.Max)), "seed %d retry %d", seed, n)
		}
	}
}

func TestScheduleDeadlineCountsFromFirstFailure(t *testing.T) {
	s, clock := testSchedule(t, Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: 10 * time.Second}, 1)
	*clock = clock.Add(time.Hour) // the schedule was made long before anything failed
	assert.Equal(t, 10*time.Second, s.Remaining(), "the whole budget is left before the first failure")
	d, ok := s.Next()
	require.True(t, ok, "an hour of idling must not spend the budget")
	assert.Equal(t, time.Second, d)
	*clock = clock.Add(4 * time.Second)
	assert.Equal(t, 6*time.Second, s.Remaining())
	*clock = clock.Add(6 * time.Second)
	_, ok = s.Next()
	assert.False(t, ok)
	assert.ErrorIs(t, s.Reason(), ErrDeadline)
	assert.Zero(t, s.Remaining())
}

func TestScheduleResetStartsOver(t *testing.T) {
	s, clock := testSchedule(t, Policy{Initial: time.Second, Jitter: NoJitter, MaxElapsed: 5 * time.Second}, 1)
	run(s, clock, 0)
	require.ErrorIs(t, s.Reason(), ErrDeadline)
	s.Reset()
	assert.Zero(t, s.Failures())
	assert.NoError(t, s.Reason())
	d, ok := s.Next()
	assert.True(t, ok)
	assert.Equal(t, time.Second, d, "after Reset the initial delay comes back")
	assert.Equal(t, 1, s.Failures())
}

func TestScheduleWithoutDeadlineReportsForever(t *testing.T) {
	s, _ := testSchedule(t, Policy{MaxElapsed: Forever}, 1)
	assert.Equal(t, Forever, s.Remaining())
	for range 1000 {
		_, ok := s.Next()
		require.True(t, ok)
	}
	assert.Equal(t, Forever, s.Remaining())
}

func TestScheduleNextDoesNotAllocate(t *testing.T) {
	for _, p := range []Policy{{}, {MaxElapsed: Forever}} {
		s, err := NewSchedule(p)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(1000, func() {
			if _, ok := s.Next(); !ok {
				s.Reset()
			}
		})
		assert.Zero(t, allocs, "policy %+v", p)
	}
}

func TestScheduleDrivesCenkaltiRetry(t *testing.T) {
	s, err := NewSchedule(Policy{Initial: time.Nanosecond, MaxAttempts: 4, MaxElapsed: Forever})
	require.NoError(t, err)
	calls := 0
	err = cbackoff.Retry(func() error { calls++; return assert.AnError }, s)
	assert.ErrorIs(t, err, assert.AnError)
	assert.Equal(t, 4, calls, "cenkalti's Retry must stop where our schedule says Stop")
	assert.Equal(t, cbackoff.Stop, s.NextBackOff())
}

func BenchmarkScheduleNext(b *testing.B) {
	s, err := NewSchedule(Policy{})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Next(); !ok {
			s.Reset()
		}
	}
}
