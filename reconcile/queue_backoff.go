package reconcile

import (
	"math/rand/v2"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// maxFailures caps a key's failure count; the policy's delay reaches its cap long before.
const maxFailures = 1 << 20

// retryDelay is the per-key backoff after a key's n-th consecutive failure: the policy's
// Delay(n) (Initial·Multiplier^(n-1), capped at Max), spread by backoff's one jitter formula
// ([backoff.Policy.Spread]). A zero policy means DefaultQueueBackoff.
func (q *Queue[K]) retryDelay(n int) time.Duration {
	p := q.policy
	if p == (backoff.Policy{}) {
		p = DefaultQueueBackoff
	}
	u := rand.Float64()
	if q.jitter != nil {
		u = q.jitter()
	}
	return p.Spread(p.Delay(n), u)
}
