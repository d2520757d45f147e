package reconcile

import (
	"math/rand/v2"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// maxFailures caps a key's failure count; the policy's delay reaches its cap long before.
const maxFailures = 1 << 20

// retryDelay is the per-key backoff after a key's n-th consecutive failure: the policy's
// Delay(n) (Initial·Multiplier^(n-1), capped at Max), spread by ±Jitter and capped again.
// A zero policy means DefaultQueueBackoff.
func (q *Queue[K]) retryDelay(n int) time.Duration {
	p := q.policy
	if p == (backoff.Policy{}) {
		p = DefaultQueueBackoff
	}
	p = p.WithDefaults()
	base := p.Delay(n)
	if p.Jitter <= 0 { // NoJitter
		return base
	}
	u := rand.Float64()
	if q.jitter != nil {
		u = q.jitter()
	}
	d := float64(base) * (1 + p.Jitter*(2*u-1))
	if d >= float64(p.Max) {
		return p.Max
	}
	return max(time.Duration(d), 0)
}
