package connctx_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestSuperviseBackoffGrowsWhileSessionsAreShortAndResetsAfterAHealthyOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		// How long each session lasts before it returns; the last one stops Supervise.
		lengths := []time.Duration{0, 0, 0, 0, 15 * time.Second, 0, 9 * time.Second, 0}
		n := 0
		session := func(ctx context.Context, _ *conntest.Conn, _ *errgroup.Group) error {
			n++
			if n == len(lengths) {
				return backoff.Permanent(errDone)
			}
			time.Sleep(lengths[n-1])
			return nil
		}
		rec := &recorder{}
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session, append(rec.options(),
			connctx.WithRestartPolicy(fixed(time.Second)), connctx.WithHealthyAfter(10*time.Second))...)
		assert.ErrorIs(t, err, errDone, "a Permanent session error stops Supervise with the error inside")
		assert.Equal(t, []time.Duration{
			1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, // short sessions: growing
			1 * time.Second, // after a 15 s session: reset
			2 * time.Second, // short again: growing
			4 * time.Second, // 9 s is not healthy yet (HealthyAfter is 10 s): still growing
			0,               // the last session stopped Supervise
		}, rec.delays())
		for _, l := range rec.lost[:len(rec.lost)-1] {
			assert.ErrorIs(t, l.Cause, connctx.ErrSessionEnded)
		}
		assert.Equal(t, len(lengths), dialer.Closes(), "every connection was closed")
	})
}

func TestSuperviseRetriesDialWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(3, nil)
		rec := &recorder{}
		start := time.Now()
		var connectedAt time.Duration
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error {
			connectedAt = time.Since(start)
			return backoff.Permanent(errDone)
		}
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session,
			append(rec.options(), connctx.WithDialPolicy(fixed(100*time.Millisecond)))...)
		assert.ErrorIs(t, err, errDone)
		assert.Equal(t, 4, dialer.Dials())
		require.Len(t, rec.dialErrs, 3)
		for i, e := range rec.dialErrs {
			assert.ErrorIs(t, e.Err, conntest.ErrDial)
			assert.Equal(t, i+1, e.Attempt)
		}
		assert.Equal(t, 700*time.Millisecond, connectedAt, "100 + 200 + 400 ms of dial backoff")
	})
}

func TestSuperviseReturnsWhenTheDialBudgetIsSpent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(1000, nil)
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error {
			t.Error("no session without a connection")
			return nil
		}
		p := fixed(time.Second)
		p.MaxAttempts = 3
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session, connctx.WithDialPolicy(p))
		assert.ErrorIs(t, err, backoff.ErrExhausted)
		assert.ErrorIs(t, err, backoff.ErrMaxAttempts)
		assert.ErrorIs(t, err, conntest.ErrDial, "the last dial error is kept")
		assert.Equal(t, 3, dialer.Dials())
	})
}

func TestSuperviseReturnsWhenTheRestartBudgetIsSpent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dialer := conntest.NewDialer(0, nil)
		session := func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
		p := fixed(time.Second)
		p.MaxAttempts = 3
		err := connctx.Supervise(t.Context(), dialer.Dial, readyLifetime, session, connctx.WithRestartPolicy(p))
		var ex *backoff.ExhaustedError
		require.ErrorAs(t, err, &ex)
		assert.ErrorIs(t, err, connctx.ErrSessionEnded, "the last loss cause is kept")
		assert.Equal(t, 3, dialer.Dials())
		assert.Equal(t, 0, dialer.Open())
	})
}
