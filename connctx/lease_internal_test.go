package connctx

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAThawedSessionSeesItsStaleLeaseAtOnce plays a process frozen past its deadline and
// thawed before the watchdog's timer ran (no watchdog runs here at all): the session
// context's Err reads the clock and ends the lease, and with it every context derived from
// the session's, at once; a derived context's deadline has passed too.
func TestAThawedSessionSeesItsStaleLeaseAtOnce(t *testing.T) {
	l := &Leader{o: leaseOptions{renewDeadline: time.Second}}
	lifetime, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	tm := &term{l: l, cancel: cancel, deadline: time.Now().Add(-time.Millisecond),
		lease: Lease{Holder: Holder{Identity: "me", Token: 3}}}
	session, scancel := context.WithCancel(lifetime) // as Supervise derives it
	defer scancel()
	ctx := &leaseContext{Context: session, t: tm}
	child, ccancel := context.WithTimeout(ctx, time.Hour)
	defer ccancel()
	d, ok := child.Deadline()
	require.True(t, ok)
	assert.True(t, d.Before(time.Now()), "a derived context's deadline has passed: a call that reads it fails")
	require.NoError(t, child.Err(), "nothing has ended the lease yet")

	require.Error(t, ctx.Err(), "Err ends a lease whose deadline passed")
	assert.Error(t, child.Err(), "a derived context ends with it, synchronously")
	var lost *LeaseLostError
	require.True(t, errors.As(context.Cause(child), &lost))
	assert.True(t, lost.Expired)
	assert.Equal(t, Holder{Identity: "me", Token: 3}, lost.Held)
}

// TestARenewalThatSucceedsAfterTheDeadlineEndsTheLease plays a renewal that returns success
// after the deadline, before the watchdog's timer ran: the lease ends, expired.
func TestARenewalThatSucceedsAfterTheDeadlineEndsTheLease(t *testing.T) {
	l := &Leader{o: leaseOptions{renewDeadline: time.Second}}
	lifetime, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	held := Holder{Identity: "me", Token: 1}
	start := time.Now().Add(-2 * time.Second)
	tm := &term{l: l, cancel: cancel, deadline: start.Add(500 * time.Millisecond), lease: Lease{Holder: held}}
	assert.True(t, tm.renewed(start, held, nil), "lost")
	var lost *LeaseLostError
	require.True(t, errors.As(context.Cause(lifetime), &lost))
	assert.True(t, lost.Expired)
	assert.Equal(t, start.Add(500*time.Millisecond), tm.currentDeadline(), "not moved")
}
