package backoff

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScheduleDrivesCenkaltiTicker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewSchedule(Policy{Initial: time.Second, Jitter: NoJitter, MaxAttempts: 3, MaxElapsed: Forever})
		require.NoError(t, err)
		s.Next() // the Ticker resets the schedule first
		start := time.Now()
		tk := cbackoff.NewTicker(s)
		defer tk.Stop()
		var at []time.Duration
		for range tk.C { // closed when the schedule says stop
			at = append(at, time.Since(start))
		}
		assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second}, at)
	})
}

func TestPolicyIsAComparableValueSharedSafely(t *testing.T) {
	p := Policy{Initial: time.Second, Jitter: NoJitter, MaxAttempts: 4}
	q := p
	assert.True(t, p == q, "a Policy compares with ==")
	var wg sync.WaitGroup
	delays := make([][]time.Duration, 4)
	for i := range delays {
		wg.Go(func() { // one policy value, one schedule per goroutine
			s, err := NewSchedule(p)
			if !assert.NoError(t, err) {
				return
			}
			for d, ok := s.Next(); ok; d, ok = s.Next() {
				delays[i] = append(delays[i], d)
			}
		})
	}
	wg.Wait()
	for _, got := range delays {
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, got,
			"schedules made from one policy do not share state")
	}
	assert.Equal(t, q, p, "making schedules does not change the policy")
}

func TestWithDefaultsKeepsTheSentinels(t *testing.T) {
	r := Policy{Max: Forever, MaxElapsed: Forever, Jitter: NoJitter}.WithDefaults()
	assert.Equal(t, Forever, r.Max)
	assert.Equal(t, Forever, r.MaxElapsed)
	assert.Equal(t, NoJitter, r.Jitter)
	assert.Equal(t, DefaultInitial, r.Initial, "Forever as Max does not raise the default Initial")
}

func TestSchedulePolicyIsTheResolvedPolicy(t *testing.T) {
	p := Policy{Max: 100 * time.Millisecond, MaxAttempts: 2}
	s, err := NewSchedule(p)
	require.NoError(t, err)
	assert.Equal(t, p.WithDefaults(), s.Policy())
	d, ok := s.Next()
	assert.True(t, ok)
	assert.LessOrEqual(t, d, 100*time.Millisecond)
}

func TestScheduleMultiplierOneGivesAConstantDelay(t *testing.T) {
	s, clock := testSchedule(t, Policy{Initial: time.Second, Multiplier: 1, Jitter: NoJitter, MaxAttempts: 5}, 1)
	assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second, time.Second}, run(s, clock, 0))
}

func TestJitterStillSpreadsDelaysAtTheCap(t *testing.T) {
	p := Policy{Initial: time.Second, Max: 4 * time.Second, Jitter: 0.5, MaxElapsed: Forever}
	s, _ := testSchedule(t, p, 7)
	var below int
	for n := 1; n <= 200; n++ {
		d, ok := s.Next()
		require.True(t, ok)
		if n > 3 { // the base has reached the cap: the band is [2s, 4s]
			assert.GreaterOrEqual(t, d, 2*time.Second, "retry %d", n)
			if d < 4*time.Second {
				below++
			}
		}
	}
	assert.Greater(t, below, 80, "about half the delays at the cap stay jittered below it, not all at Max")
}
