package bmdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestTheIdempotencyKeyOutlivesRetriesAndTakeoversUntilTheWorkIsDone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		clock := bmdbtest.NewClock(epoch)
		db := open(t, d.newDSN(t), bmdb.WithClock(clock.Now))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, "a", "m1"))
		again := bmdb.Process{Name: "again", From: "a", To: "a"} // always due: done keeps it in stage a
		noWait := bmdb.SourceBackoff(backoff.Policy{Initial: time.Millisecond, Max: time.Millisecond, Jitter: backoff.NoJitter})
		src := session(t, db, time.Minute).Source(again, append(fast, noWait)...)

		first, err := getWithin(src, time.Second)
		require.NoError(t, err)
		assert.Equal(t, bmdb.Lease{Machine: "m1", Process: "again", Session: first.Session, Token: 1, Key: 1}, first)
		require.NoError(t, src.Done(ctx, first, reconcile.OutcomeOf(errors.New("flaky"))))
		clock.Advance(time.Millisecond)
		retry, err := getWithin(src, time.Second)
		require.NoError(t, err)
		assert.Equal(t, int64(2), retry.Token, "a retry is a new lease")
		assert.Equal(t, first.Key, retry.Key, "of the same work: the key is kept")

		clock.Advance(time.Minute) // the session expires with the lease: another takes it over
		other := session(t, db, time.Hour).Source(again, fast...)
		taken, err := getWithin(other, time.Second)
		require.NoError(t, err)
		assert.Equal(t, int64(3), taken.Token)
		assert.Equal(t, first.Key, taken.Key, "a takeover keeps the key: the first holder may have acted")

		require.NoError(t, other.Done(ctx, taken, reconcile.OutcomeOf(nil)))
		next, err := getWithin(other, time.Second)
		require.NoError(t, err)
		assert.Equal(t, bmdb.Lease{Machine: "m1", Process: "again", Session: taken.Session, Token: 4, Key: 4}, next,
			"done retires the key: the next work has its own")
		require.NoError(t, other.Done(ctx, next, reconcile.OutcomeOf(backoff.Permanent(errors.New("gone")))))
		b, err := db.Backoff(ctx, "m1", "again")
		require.NoError(t, err)
		assert.False(t, b.Until.IsZero(), "dropped with no drop stage: parked")
	})
}
