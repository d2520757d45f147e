package backoff

import (
	"math"

	"k8s.io/apimachinery/pkg/util/wait"
)

// FromWait converts an apimachinery [wait.Backoff] into a Policy with the same delays:
//
//   - Duration, Factor and Cap become Initial, Multiplier and Max; a Factor below 1 (wait's "do
//     not grow") becomes 1, and a zero Cap (wait's "no cap") becomes [Forever].
//   - Steps becomes MaxAttempts (wait.ExponentialBackoff calls its condition at most Steps
//     times); Steps of zero or less, which wait treats as "do not grow", gives Multiplier 1
//     and no attempt bound.
//   - wait's Jitter adds up to Jitter·d on top of d; a Policy spreads ±Jitter·d around d. The
//     width of the spread is kept, so Jitter is halved (at most 1); zero becomes [NoJitter].
//   - wait.Backoff has no deadline, so MaxElapsed is [Forever]: bound the retries with a context.
//
// A zero Duration becomes the default Initial, since a Policy does not retry without waiting.
func FromWait(b wait.Backoff) Policy {
	p := Policy{
		Initial:     max(b.Duration, 0),
		Multiplier:  b.Factor,
		Max:         b.Cap,
		Jitter:      min(b.Jitter/2, 1),
		MaxElapsed:  Forever,
		MaxAttempts: max(b.Steps, 0),
	}
	if p.Multiplier < 1 || b.Steps <= 0 || math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0) {
		p.Multiplier = 1
	}
	if p.Max <= 0 {
		p.Max = Forever
	}
	if !(p.Jitter > 0) { // zero, negative or NaN
		p.Jitter = NoJitter
	}
	return p
}

// ToWait converts p (defaults filled in) into an apimachinery [wait.Backoff], for APIs that take
// one (wait.ExponentialBackoff, client-go's retry.OnError). The conversion is the inverse of
// [FromWait], with two losses: wait.Backoff has no deadline, so MaxElapsed is dropped (bound the
// loop with a context), and with no MaxAttempts Steps is math.MaxInt32. Note that wait.Backoff
// stops growing, and wait.ExponentialBackoff stops, once the delay reaches Cap.
func (p Policy) ToWait() wait.Backoff {
	r := p.withDefaults()
	b := wait.Backoff{
		Duration: r.Initial,
		Factor:   r.Multiplier,
		Jitter:   2 * max(r.Jitter, 0),
		Steps:    r.MaxAttempts,
		Cap:      r.Max,
	}
	if b.Steps == 0 {
		b.Steps = math.MaxInt32
	}
	if r.Max == Forever {
		b.Cap = 0
	}
	return b
}
