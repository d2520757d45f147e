package connctx

import (
	"context"
	"time"
)

// leaseContext is the context a Leader's session is given: Supervise's session context, with
// the lease's deadline, which moves later with each renewal, and an Err that reads the clock.
// After a freeze the watchdog's timer and the session may wake in either order; Err ends the
// lease itself when the deadline has passed, so that the session cannot see a nil Err on a
// lease that is no longer safe. Ending the lease cancels the lifetime context, and with it,
// synchronously, every context derived from it with context.WithCancel and the like, this
// one's included.
type leaseContext struct {
	context.Context
	t *term
}

// Deadline returns the lease's deadline, or the parent's if that is sooner. Unlike most
// contexts', it moves later with each renewal: a deadline read once stays a safe bound.
func (c *leaseContext) Deadline() (time.Time, bool) {
	d := c.t.currentDeadline()
	if pd, ok := c.Context.Deadline(); ok && pd.Before(d) {
		return pd, true
	}
	return d, true
}

// Err ends the lease first if its deadline has passed, then returns the context's error.
func (c *leaseContext) Err() error {
	c.t.expireIfDue()
	return c.Context.Err()
}
