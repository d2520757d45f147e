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

func TestAHeartbeatKeepsTheSessionsLeasesFromBeingTakenOver(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	ctx := context.Background()
	require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
	ttl := 10 * time.Second
	holder := session(t, db, ttl)
	_, err := getWithin(holder.Source(bmdb.Provision, fast...), time.Second)
	require.NoError(t, err)
	other := session(t, db, time.Hour).Source(bmdb.Provision, fast...)

	for range 3 {
		clock.Advance(ttl - time.Second)
		require.NoError(t, holder.Heartbeat(ctx))
		_, err = getWithin(other, notDue)
		require.ErrorIs(t, err, context.DeadlineExceeded, "a heartbeated lease is not taken over")
	}
	clock.Advance(ttl)
	assert.ErrorIs(t, holder.Heartbeat(ctx), bmdb.ErrSessionExpired, "an expired session is never revived")
	_, err = getWithin(other, time.Second)
	assert.NoError(t, err, "without heartbeats, the lease is taken over after the TTL")
}

func TestGCReleasesTheLeasesOfExpiredSessionsAndDeletesThem(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		clock := bmdbtest.NewClock(epoch)
		db := open(t, d.newDSN(t), bmdb.WithClock(clock.Now))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, machines(3)...))
		dead := session(t, db, time.Second)
		src := dead.Source(bmdb.Provision, fast...)
		for range 3 {
			_, err := getWithin(src, time.Second)
			require.NoError(t, err)
		}
		alive := session(t, db, time.Hour)

		c, err := db.GC(ctx)
		require.NoError(t, err)
		assert.Zero(t, c, "nothing has expired yet")
		clock.Advance(time.Second)
		c, err = db.GC(ctx)
		require.NoError(t, err)
		assert.Equal(t, bmdb.Collected{Sessions: 1, Leases: 3}, c)

		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, st.Sessions, "only the live session is left")
		assert.Zero(t, st.Leases)
		hist, err := db.History(ctx)
		require.NoError(t, err)
		require.Len(t, hist, 3)
		for _, e := range hist {
			assert.Equal(t, bmdb.EventExpired, e.Event)
			assert.Equal(t, dead.ID(), e.Session, "the history names the dead session")
		}
		_, err = getWithin(alive.Source(bmdb.Provision, fast...), time.Second)
		assert.NoError(t, err, "collected leases are free")
		_, err = getWithin(src, notDue)
		assert.ErrorIs(t, err, bmdb.ErrSessionExpired, "a collected session claims nothing")
	})
}

func TestSessionRunEndsTheWorkWhenHeartbeatsFail(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	s := session(t, db, 250*time.Millisecond) // heartbeats every 50 ms
	var cause error
	err := s.Run(context.Background(), func(ctx context.Context) error {
		clock.Advance(time.Hour) // as if the process froze: the session expires, heartbeats fail
		<-ctx.Done()
		cause = context.Cause(ctx)
		return ctx.Err()
	})
	assert.ErrorIs(t, cause, bmdb.ErrSessionLost, "the work's context ends with the loss")
	assert.ErrorIs(t, cause, bmdb.ErrSessionExpired, "and says why")
	assert.ErrorIs(t, err, bmdb.ErrSessionLost)
}

func TestSessionRunReturnsTheWorksErrorAndLeavesNothingRunning(t *testing.T) {
	db := open(t, d0(t))
	s := session(t, db, time.Minute)
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(ctx context.Context) error
		want error
	}{
		{"work that returns at once (never heartbeats)", func(context.Context) error { return nil }, nil},
		{"work that fails", func(context.Context) error { return boom }, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Run(context.Background(), tt.fn))
		})
	}
	require.NoError(t, s.Close(context.Background()))
	require.NoError(t, s.Close(context.Background()), "closing again does nothing")
	// TestMain checks that no goroutine is left.
}

func TestServeStartsANewSessionWhenOneIsLost(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	stop := errors.New("stop")
	var seen []int64
	err := db.Serve(context.Background(), t.Name(), func(ctx context.Context, s *bmdb.Session) error {
		seen = append(seen, s.ID())
		if len(seen) == 2 {
			return backoff.Permanent(stop)
		}
		clock.Advance(time.Hour) // the first session's heartbeats fail
		<-ctx.Done()
		assert.ErrorIs(t, context.Cause(ctx), bmdb.ErrSessionLost)
		return nil
	}, bmdb.SessionTTL(250*time.Millisecond))
	require.ErrorIs(t, err, stop, "a permanent error ends Serve")
	assert.Equal(t, []int64{1, 2}, seen, "the lost session was followed by a new one")
	st, err := db.Stats(context.Background())
	require.NoError(t, err)
	assert.Zero(t, st.Sessions, "both sessions were closed")
}

func TestAClaimThatFindsItsSessionExpiredEndsTheSessionAsLost(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	require.NoError(t, db.AddMachines(context.Background(), bmdb.StageNew, "m1"))
	s := session(t, db, time.Hour) // no heartbeat comes within the test
	src := s.Source(bmdb.Provision, fast...)
	var runErr, cause error
	err := s.Run(context.Background(), func(ctx context.Context) error {
		clock.Advance(2 * time.Hour) // as if the process was frozen past its TTL
		runErr = reconcile.Run(ctx, src, reconcile.SyncFunc[bmdb.Lease](func(context.Context, bmdb.Lease) error {
			return nil
		}))
		cause = context.Cause(ctx)
		return runErr
	})
	assert.NoError(t, runErr, "the loop stops quietly: its context ended")
	assert.ErrorIs(t, cause, bmdb.ErrSessionLost, "the claim ended the session's context")
	assert.ErrorIs(t, cause, bmdb.ErrSessionExpired, "and says why")
	assert.ErrorIs(t, err, bmdb.ErrSessionLost, "Run reports the loss")
}
