package backoff

import (
	"errors"
	"math/rand/v2"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
)

// Reasons a [Schedule] stops, carried by [ExhaustedError.Reason].
var (
	// ErrDeadline: the policy's MaxElapsed has passed since the first failure, or a
	// [RetryAfter] hint would end after it, or [Retry]'s next attempt could not start before
	// its context's deadline (that reason also matches context.DeadlineExceeded).
	ErrDeadline = errors.New("backoff: deadline passed")
	// ErrMaxAttempts: the policy's MaxAttempts attempts have been made.
	ErrMaxAttempts = errors.New("backoff: attempts exhausted")
)

// Schedule is the state of one retry loop under a [Policy]: how many failures it has seen and
// when the first one was. Call [Schedule.Next] after each failure and [Schedule.Reset] after a
// success. It also satisfies cenkalti/backoff's BackOff, so it can drive that package's Retry
// and Ticker. A Schedule is not safe for concurrent use; make one per loop.
type Schedule struct {
	p        Policy // resolved: no zero fields
	failures int
	base     float64   // the un-jittered delay of the last retry, in ns, capped at p.Max
	first    time.Time // of the first failure since Reset; zero before it
	stopped  error

	now  func() time.Time // seams for tests; time.Now and rand.Float64 otherwise
	rand func() float64
}

var _ cbackoff.BackOff = (*Schedule)(nil)

// NewSchedule returns a fresh schedule for p, or p's [Policy.Validate] error.
func NewSchedule(p Policy) (*Schedule, error) {
	s, err := newSchedule(p)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// newSchedule is NewSchedule by value, for Retry, which keeps it on its stack.
func newSchedule(p Policy) (Schedule, error) {
	if err := p.Validate(); err != nil {
		return Schedule{}, err
	}
	return Schedule{p: p.withDefaults(), now: time.Now, rand: rand.Float64}, nil
}

// Next records a failure and returns how long to wait before the next attempt, or false when
// no attempt is left: MaxAttempts failures have happened, or the deadline (MaxElapsed after the
// first failure) has passed. A delay that would end past the deadline is shortened to end on
// it. Once Next has returned false it keeps doing so until [Schedule.Reset], and
// [Schedule.Reason] tells why. Next does not allocate.
func (s *Schedule) Next() (time.Duration, bool) {
	if s.stopped != nil {
		return 0, false
	}
	s.failures++
	var now time.Time
	if s.p.MaxElapsed != Forever { // no clock read without a deadline
		now = s.now()
		if s.failures == 1 {
			s.first = now
		}
	}
	if s.p.MaxAttempts > 0 && s.failures >= s.p.MaxAttempts {
		s.stopped = ErrMaxAttempts
		return 0, false
	}
	// Growing the base by one multiplication per retry is Policy.delay's formula without a
	// math.Pow; once the base reaches the cap it stays there, so it never overflows.
	if s.failures == 1 {
		s.base = float64(s.p.Initial)
	} else {
		s.base = min(s.base*s.p.Multiplier, float64(s.p.Max))
	}
	d := s.p.jitter(s.base, s.rand())
	if s.p.MaxElapsed == Forever {
		return d, true
	}
	left := s.p.MaxElapsed - now.Sub(s.first)
	if left <= 0 {
		s.stopped = ErrDeadline
		return 0, false
	}
	return min(d, left), true
}

// Reset forgets every failure: the next [Schedule.Next] starts again from the initial delay and
// starts a new deadline.
func (s *Schedule) Reset() {
	s.failures, s.base, s.first, s.stopped = 0, 0, time.Time{}, nil
}

// NextBackOff is [Schedule.Next] in cenkalti/backoff's terms: the delay, or its Stop (-1).
func (s *Schedule) NextBackOff() time.Duration {
	d, ok := s.Next()
	if !ok {
		return cbackoff.Stop
	}
	return d
}

// Failures returns the number of failures recorded since the last Reset.
func (s *Schedule) Failures() int { return s.failures }

// Remaining returns how long is left until the deadline: the whole MaxElapsed before the first
// failure, 0 once it has passed, and [Forever] when the policy has no deadline.
func (s *Schedule) Remaining() time.Duration {
	if s.p.MaxElapsed == Forever {
		return Forever
	}
	if s.failures == 0 {
		return s.p.MaxElapsed
	}
	return max(s.p.MaxElapsed-s.now().Sub(s.first), 0)
}

// Reason returns why [Schedule.Next] last said stop ([ErrDeadline] or [ErrMaxAttempts]), or nil
// while it has not.
func (s *Schedule) Reason() error { return s.stopped }

// Policy returns the policy the schedule follows, with its defaults filled in.
func (s *Schedule) Policy() Policy { return s.p }
