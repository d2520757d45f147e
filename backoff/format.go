package backoff

import (
	"fmt"
	"time"
)

// String formats p like fmt's %+v of its fields, with the sentinels by name: [Forever] as
// "forever" and [NoJitter] as "none". A zero field prints as zero (it means its default; see
// [Policy.WithDefaults]).
func (p Policy) String() string {
	jitter := fmt.Sprint(p.Jitter)
	if p.Jitter == NoJitter {
		jitter = "none"
	}
	return fmt.Sprintf("{Initial:%s Multiplier:%v Max:%s Jitter:%s MaxElapsed:%s MaxAttempts:%d}",
		duration(p.Initial), p.Multiplier, duration(p.Max), jitter, duration(p.MaxElapsed), p.MaxAttempts)
}

// duration formats d for a message: [Forever] (no cap, no deadline) as "forever", not as the
// 2562047h47m16.854775807s it is.
func duration(d time.Duration) string {
	if d == Forever {
		return "forever"
	}
	return d.String()
}

// plural returns "1 attempt" or "n attempts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
