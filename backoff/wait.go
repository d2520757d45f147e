package backoff

import (
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// FromWait converts an apimachinery [wait.Backoff] into a Policy that draws the delays
// wait.ExponentialBackoff sleeps. wait draws each delay uniformly from [d, d·(1+Jitter)], d being
// its current Duration; a Policy spreads its delays around the middle of a band instead, so:
//
//   - For every retry whose d is at most Cap (or with no Cap), the Policy draws the delay
//     uniformly from wait's band [d, d·(1+Jitter)], up to wait's rounding of each step to whole
//     nanoseconds: Initial is Duration·(1+Jitter/2), the middle of the first band, and Jitter
//     becomes Jitter/(2+Jitter). A Jitter that is not a positive finite number is [NoJitter],
//     and then the delays are wait's exactly: min(Duration·Factor^(n-1), Cap).
//   - Max is Cap·(1+Jitter), the longest delay wait sleeps; once d reaches Cap, the Policy's
//     delays stay within wait's band [Cap, Cap·(1+Jitter)], though not uniformly. A Cap of zero
//     or less (no cap) becomes [Forever]. A Duration above Cap is lowered to Cap (wait sleeps its
//     first Duration uncapped; a Policy's Max bounds every delay).
//   - Factor becomes Multiplier; a Factor below 1 (0 is wait's "do not grow", and between 0 and 1
//     wait shrinks the delay, which a Policy cannot) or not finite becomes 1.
//   - Steps becomes MaxAttempts: wait.ExponentialBackoff calls its condition at most Steps times.
//     Steps of zero or less (wait.Backoff.Step's constant delay) gives Multiplier 1 and no attempt
//     bound. wait.ExponentialBackoff also stops once d reaches Cap; the Policy keeps retrying,
//     every Max or so, until MaxAttempts.
//   - wait.Backoff has no deadline, so MaxElapsed is [Forever]: bound the retries with a context.
//   - A Duration of zero or less (wait: retry without waiting, which a Policy does not do) gives a
//     zero Initial: the default, at most Max.
//
// The result always passes [Policy.Validate]; a field too large for a Duration is [Forever].
func FromWait(b wait.Backoff) Policy {
	jitter := b.Jitter
	if !(jitter > 0) || math.IsInf(jitter, 1) { // zero, negative, NaN or +Inf
		jitter = 0
	}
	hi := 1 + jitter // wait's delays lie in [d, d·hi]
	p := Policy{Multiplier: b.Factor, Max: Forever, Jitter: NoJitter, MaxElapsed: Forever,
		MaxAttempts: max(b.Steps, 0)}
	d := b.Duration
	if b.Cap > 0 {
		p.Max = scale(b.Cap, hi, math.Round)
		d = min(d, b.Cap)
	}
	if d > 0 {
		p.Initial = scale(d, (1+hi)/2, math.Round) // at most Max: d <= Cap and (1+hi)/2 <= hi
	}
	if jitter > 0 {
		p.Jitter = jitter / (2 + jitter) // (hi-1)/(hi+1): the half-width over the middle
	}
	if !(p.Multiplier >= 1) || math.IsInf(p.Multiplier, 1) || b.Steps <= 0 {
		p.Multiplier = 1
	}
	return p
}

// waitMinLow is the lowest a band [lo·d, hi·d] that ToWait gives wait may start, as a fraction of
// d: wait cannot draw below its Duration, so a band that starts at zero has no wait equivalent.
const waitMinLow = 0.1

// ToWait converts p (defaults filled in) into an apimachinery [wait.Backoff], for APIs that take
// one (wait.ExponentialBackoff, client-go's retry.OnError). It is the inverse of [FromWait]:
//
//   - A retry whose band [d·(1-Jitter), d·(1+Jitter)] ends at or below Max (d being its delay
//     before jitter) gets the same band from wait, drawn uniformly, up to rounding to whole
//     nanoseconds: Duration is Initial·(1-Jitter) and wait's Jitter is 2·Jitter/(1-Jitter).
//     wait cannot draw below its Duration, so a Jitter above 0.9 keeps the band's upper end and
//     raises its lower end to a tenth of d.
//   - No delay wait draws is longer than Max, for a Max of 20ns or more: Cap is
//     Max·(1-Jitter)/(1+Jitter) rounded down (with the same 0.9 limit), and Duration is at most
//     Cap. A Max of [Forever] becomes a zero Cap (no cap).
//   - Multiplier becomes Factor, and MaxAttempts Steps (math.MaxInt32 without MaxAttempts).
//   - wait.Backoff has no deadline, so MaxElapsed is dropped: bound the loop with a context.
//
// So FromWait(p.ToWait()) is p.WithDefaults(), up to rounding to whole nanoseconds, when p has a
// Jitter of at most 0.9, MaxAttempts, a MaxElapsed of Forever, and a first band that ends at or
// below Max. Note that wait.Backoff stops growing, and wait.ExponentialBackoff stops, once the
// delay reaches Cap.
func (p Policy) ToWait() wait.Backoff {
	r := p.withDefaults()
	hi := 1 + max(r.Jitter, 0) // NoJitter is negative
	lo := max(2-hi, waitMinLow)
	b := wait.Backoff{
		Duration: max(scale(r.Initial, lo, math.Round), 1), // wait does not wait at all for a zero Duration
		Factor:   r.Multiplier,
		Steps:    r.MaxAttempts,
	}
	if hi > 1 {
		b.Jitter = hi/lo - 1
	}
	if r.Max != Forever {
		// Rounded down, so that wait's longest delay, Cap·hi/lo, stays at or below Max.
		b.Cap = max(scale(r.Max, lo/hi, math.Floor), 1)
		b.Duration = min(b.Duration, b.Cap)
	}
	if b.Steps == 0 {
		b.Steps = math.MaxInt32
	}
	return b
}

// scale returns d·f, for f >= 0, rounded to whole nanoseconds by round (math.Round or
// math.Floor) and saturating at [Forever].
func scale(d time.Duration, f float64, round func(float64) float64) time.Duration {
	x := round(float64(d) * f)
	if x >= float64(Forever) { // float64(Forever) is 2^63, one past the largest Duration
		return Forever
	}
	return time.Duration(x)
}
