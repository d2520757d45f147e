package backoff

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults used for the zero fields of a [Policy]. They are chosen for calls to external APIs (a
// cloud provider, a device, a database across the network):
//
//   - DefaultInitial, 500ms (or Max, if that is set and shorter): a transient glitch (a dropped connection, a leader election, a brief
//     overload) usually clears within a second, and a first retry sooner than that mostly hits
//     the same glitch.
//   - DefaultMultiplier, 2: the delay reaches the cap in about six retries, so a short outage is
//     retried often and a long one costs little.
//   - DefaultMax, 30s (or Initial, if that is set and longer): after the peer recovers, a caller notices within half a minute; most API
//     rate-limit windows are a minute or less.
//   - DefaultJitter, 0.5: delays spread over [0.5d, 1.5d], so many clients that failed together
//     (the peer restarted under all of them) do not come back in lockstep.
//   - DefaultMaxElapsed, 5m: long enough to ride out a rolling restart or a failover of the peer,
//     short enough that a real outage surfaces as an error instead of a silent hang.
//
// So a zero field is valid with any set fields: the default Initial never exceeds a set Max, and
// the default Max never undercuts a set Initial. MaxAttempts has no default: zero means the
// deadline alone bounds the retries.
const (
	DefaultInitial    = 500 * time.Millisecond
	DefaultMultiplier = 2.0
	DefaultMax        = 30 * time.Second
	DefaultJitter     = 0.5
	DefaultMaxElapsed = 5 * time.Minute
)

// Forever, as [Policy.Max], means no cap on one delay; as [Policy.MaxElapsed], no deadline.
const Forever = time.Duration(math.MaxInt64)

// NoJitter, as [Policy.Jitter], turns randomization off (zero means [DefaultJitter]).
const NoJitter = -1.0

// Policy describes an exponential backoff. It is a plain value: copy it, share it between
// goroutines, compare it. Each zero field means its default (see [DefaultInitial]), so the zero
// Policy is a sensible policy for an external API. Make a [Schedule] from it to use it.
type Policy struct {
	// Initial is the delay before the first retry, before jitter. Zero means DefaultInitial, or
	// Max if Max is set and shorter.
	Initial time.Duration
	// Multiplier grows the delay after each retry; at least 1 (1 gives a constant delay).
	// Zero means DefaultMultiplier.
	Multiplier float64
	// Max caps one delay, after jitter: no delay is longer. Zero means DefaultMax, or Initial if
	// Initial is set and longer; Forever means no cap.
	Max time.Duration
	// Jitter is the randomization fraction, in [0, 1]: a delay d becomes one drawn uniformly
	// from [d·(1-Jitter), d·(1+Jitter)], then capped. Zero means DefaultJitter; NoJitter turns
	// jitter off.
	Jitter float64
	// MaxElapsed is the deadline, counted from the first failure. Zero means DefaultMaxElapsed;
	// Forever means no deadline.
	MaxElapsed time.Duration
	// MaxAttempts bounds the number of attempts, the first included. Zero means no bound.
	MaxAttempts int
}

// ErrInvalidPolicy is matched (with errors.Is) by every error [Policy.Validate] returns.
var ErrInvalidPolicy = errors.New("backoff: invalid policy")

// Validate reports the first field of p that makes no sense: a negative duration or attempt
// count, a multiplier below 1, a jitter outside [0, 1] (other than NoJitter), an initial delay
// above the cap (both set), or a NaN or infinity. The error matches [ErrInvalidPolicy]. Zero
// fields are valid in every combination with set fields: they mean their defaults.
func (p Policy) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidPolicy, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Initial < 0:
		return bad("Initial %s is negative", p.Initial)
	case p.Max < 0:
		return bad("Max %s is negative", p.Max)
	case p.MaxElapsed < 0:
		return bad("MaxElapsed %s is negative", p.MaxElapsed)
	case p.MaxAttempts < 0:
		return bad("MaxAttempts %d is negative", p.MaxAttempts)
	case math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0):
		return bad("Multiplier %v is not a finite number", p.Multiplier)
	case p.Multiplier != 0 && p.Multiplier < 1:
		return bad("Multiplier %v is below 1 (delays would shrink)", p.Multiplier)
	case math.IsNaN(p.Jitter) || (p.Jitter != NoJitter && (p.Jitter < 0 || p.Jitter > 1)):
		return bad("Jitter %v is outside [0, 1] (use NoJitter to turn it off)", p.Jitter)
	}
	if r := p.withDefaults(); r.Initial > r.Max {
		return bad("Initial %s is above Max %s", duration(r.Initial), duration(r.Max))
	}
	return nil
}

// WithDefaults returns p with every zero field replaced by its default; NoJitter and Forever
// stay as they are, so the result means the same policy as p. It does not validate p.
func (p Policy) WithDefaults() Policy { return p.withDefaults() }

func (p Policy) withDefaults() Policy {
	if p.Max == 0 {
		p.Max = max(DefaultMax, p.Initial) // Initial is zero or set here, never defaulted yet
	}
	if p.Initial == 0 {
		p.Initial = min(DefaultInitial, p.Max)
	}
	if p.Multiplier == 0 {
		p.Multiplier = DefaultMultiplier
	}
	if p.Jitter == 0 {
		p.Jitter = DefaultJitter
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	return p
}

// Delay returns the delay before retry number n (1 for the first retry) without jitter:
// Initial·Multiplier^(n-1), capped at Max. It saturates instead of overflowing, and is 0 for
// n < 1. Defaults fill p's zero fields; p is not validated.
func (p Policy) Delay(n int) time.Duration {
	if n < 1 {
		return 0
	}
	r := p.withDefaults()
	return r.delay(n, 0.5)
}

// Spread returns d spread by ±Jitter according to u in [0, 1) (0.5 leaves d as it is), capped
// at Max: the library's one jitter formula, which [Schedule], reconcile's per-key backoff and
// the examples share. A negative d is 0, u outside [0, 1) is clamped into it, and with
// [NoJitter] d is only capped. Defaults fill p's zero fields; p is not validated.
func (p Policy) Spread(d time.Duration, u float64) time.Duration {
	r := p.withDefaults()
	return r.jitter(float64(min(max(d, 0), r.Max)), min(max(u, 0), 1))
}

// delay is the capped, jittered delay before retry n of a resolved policy; u in [0, 1) picks the
// jitter (0.5 is none). Every step stays in float64 until the final clamp, so a huge n or
// multiplier gives +Inf, which the cap turns into Max, never an overflowed int64.
func (r Policy) delay(n int, u float64) time.Duration {
	d := float64(r.Initial) * math.Pow(r.Multiplier, float64(n-1))
	return r.jitter(min(d, float64(r.Max)), u)
}

// jitter spreads a base delay (ns, at most Max) by ±Jitter according to u in [0, 1), then caps it.
func (r Policy) jitter(base, u float64) time.Duration {
	return clamp(base*(1+max(r.Jitter, 0)*(2*u-1)), r.Max) // NoJitter is negative
}

// clamp converts a non-negative float64 of nanoseconds to a Duration no longer than limit.
// The comparison is in float64 because float64(math.MaxInt64) rounds up to 2^63, which does
// not convert back to an int64.
func clamp(d float64, limit time.Duration) time.Duration {
	if d >= float64(limit) {
		return limit
	}
	return max(time.Duration(d), 0)
}
