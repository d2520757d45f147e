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

var doubling = bmdb.SourceBackoff(backoff.Policy{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: backoff.NoJitter})

// failOnce claims the machine, reports err for it, and returns the stored backoff.
func failOnce(t *testing.T, db *bmdb.DB, src *bmdb.Source, err error) bmdb.Backoff {
	t.Helper()
	l, gerr := getWithin(src, time.Second)
	require.NoError(t, gerr, "the machine is due")
	require.NoError(t, src.Done(context.Background(), l, reconcile.OutcomeOf(err)))
	b, berr := db.Backoff(context.Background(), l.Machine, l.Process)
	require.NoError(t, berr)
	return b
}

func TestAFailedMachineBacksOffWithItsCauseAndTheBackoffSurvivesARestart(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		clock := bmdbtest.NewClock(epoch)
		dsn := d.newDSN(t)
		db := open(t, dsn, bmdb.WithClock(clock.Now))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
		src := session(t, db, time.Hour).Source(bmdb.Provision, append(fast, doubling)...)

		b := failOnce(t, db, src, errors.New("BMC unreachable"))
		assert.Equal(t, bmdb.Backoff{Until: epoch.Add(time.Second), Interval: time.Second, Failures: 1, Cause: "BMC unreachable"}, b)
		clock.Advance(999 * time.Millisecond)
		_, err := getWithin(src, notDue)
		require.ErrorIs(t, err, context.DeadlineExceeded, "not due before its backoff ends")
		clock.Advance(time.Millisecond)
		b = failOnce(t, db, src, errors.New("BMC still unreachable"))
		assert.Equal(t, 2*time.Second, b.Interval, "the interval doubles")

		// Restart: a new program, a new connection, a new session.
		require.NoError(t, db.Close())
		db = open(t, dsn, bmdb.WithClock(clock.Now))
		src = session(t, db, time.Hour).Source(bmdb.Provision, append(fast, doubling)...)
		clock.Advance(time.Second)
		_, err = getWithin(src, notDue)
		require.ErrorIs(t, err, context.DeadlineExceeded, "the backoff survived the restart")
		clock.Advance(time.Second)
		b = failOnce(t, db, src, errors.New("BMC gone"))
		assert.Equal(t, bmdb.Backoff{Until: clock.Now().Add(4 * time.Second), Interval: 4 * time.Second, Failures: 3, Cause: "BMC gone"}, b,
			"the interval grows from where it was before the restart")

		clock.Advance(4 * time.Second)
		l, err := getWithin(src, time.Second)
		require.NoError(t, err)
		require.NoError(t, src.Done(ctx, l, reconcile.OutcomeOf(nil)))
		b, err = db.Backoff(ctx, "m1", "provision")
		require.NoError(t, err)
		assert.Zero(t, b, "success forgets the backoff")
	})
}

func TestARetryAfterHintWaitsExactlyTheHintWithoutGrowingTheInterval(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	require.NoError(t, db.AddMachines(context.Background(), bmdb.StageNew, "m1"))
	src := session(t, db, time.Hour).Source(bmdb.Provision, append(fast, doubling)...)

	failOnce(t, db, src, errors.New("flaky"))
	clock.Advance(time.Second)
	b := failOnce(t, db, src, backoff.RetryAfter(7*time.Second, errors.New("rate limited")))
	assert.Equal(t, bmdb.Backoff{Until: clock.Now().Add(7 * time.Second), Interval: time.Second, Failures: 1, Cause: "rate limited (retry after 7s)"}, b)
}

func TestAPermanentFailureMovesTheMachineToTheDropStageOrParksIt(t *testing.T) {
	tests := []struct {
		name      string
		proc      bmdb.Process
		wantStage string
		parked    bool
	}{
		{"with a drop stage", bmdb.Initialize, bmdb.StageBroken, false},
		{"without one", bmdb.Process{Name: "initialize", From: bmdb.StageProvisioned, To: bmdb.StageReady}, bmdb.StageProvisioned, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := bmdbtest.NewClock(epoch)
			db := open(t, d0(t), bmdb.WithClock(clock.Now))
			ctx := context.Background()
			require.NoError(t, db.AddMachines(ctx, bmdb.StageProvisioned, "m1"))
			src := session(t, db, 48*time.Hour).Source(tt.proc, fast...)

			b := failOnce(t, db, src, backoff.Permanent(errors.New("disk dead")))
			st, err := db.Stats(ctx)
			require.NoError(t, err)
			assert.Equal(t, map[string]int{tt.wantStage: 1}, st.Stages)
			assert.Equal(t, tt.parked, !b.Until.IsZero(), "parked: %v", b)
			clock.Advance(24 * time.Hour)
			_, err = getWithin(src, notDue)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "a dropped machine is not retried")
			hist, err := db.History(ctx)
			require.NoError(t, err)
			require.Len(t, hist, 1)
			assert.Equal(t, bmdb.EventDropped, hist[0].Event)
			assert.Equal(t, "disk dead", hist[0].Cause)
		})
	}
}

// d0 is a new SQLite database, for tests where the dialect makes no difference.
func d0(t *testing.T) string { return dialects()[0].newDSN(t) }

func TestARequeueKeepsTheStageForgetsTheBackoffAndIsDueAfterExactlyItsDelay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		clock := bmdbtest.NewClock(epoch)
		db := open(t, d.newDSN(t), bmdb.WithClock(clock.Now))
		ctx := context.Background()
		require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
		src := session(t, db, time.Hour).Source(bmdb.Provision, append(fast, doubling)...)

		failOnce(t, db, src, errors.New("flaky"))
		clock.Advance(time.Second)
		first, err := getWithin(src, time.Second)
		require.NoError(t, err)
		require.NoError(t, src.Done(ctx, first, reconcile.OutcomeOf(reconcile.RequeueAfter(5*time.Second))))
		b, err := db.Backoff(ctx, "m1", "provision")
		require.NoError(t, err)
		assert.Equal(t, bmdb.Backoff{Until: clock.Now().Add(5 * time.Second)}, b,
			"no failure, no cause, no interval: only the delay")
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{bmdb.StageNew: 1}, st.Stages, "the machine stays where it was")

		clock.Advance(5*time.Second - time.Millisecond)
		_, err = getWithin(src, notDue)
		require.ErrorIs(t, err, context.DeadlineExceeded, "not due before the delay")
		clock.Advance(time.Millisecond)
		again, err := getWithin(src, time.Second)
		require.NoError(t, err, "due after exactly the delay")
		assert.NotEqual(t, first.Key, again.Key, "the next run is new work, with an idempotency key of its own")

		hist, err := db.History(ctx)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		assert.Equal(t, bmdb.EventRequeued, hist[1].Event)
		assert.Empty(t, hist[1].Cause)
	})
}

func TestAFailedMachinesBackoffIsSpreadByTheJitterAndCappedAtMax(t *testing.T) {
	clock := bmdbtest.NewClock(epoch)
	db := open(t, d0(t), bmdb.WithClock(clock.Now))
	require.NoError(t, db.AddMachines(context.Background(), bmdb.StageNew, "m1"))
	p := backoff.Policy{Initial: time.Second, Multiplier: 2, Max: 3 * time.Second, Jitter: 0.5}
	src := session(t, db, time.Hour).Source(bmdb.Provision, append(fast, bmdb.SourceBackoff(p))...)
	u := 0.0
	bmdb.SetJitter(src, func() float64 { return u })

	b := failOnce(t, db, src, errors.New("flaky"))
	assert.Equal(t, epoch.Add(500*time.Millisecond), b.Until, "u=0 is the interval times 1-Jitter")
	assert.Equal(t, time.Second, b.Interval, "the stored interval is the one before jitter")

	clock.Advance(500 * time.Millisecond)
	u = 0.9
	b = failOnce(t, db, src, errors.New("flaky"))
	assert.Equal(t, clock.Now().Add(2800*time.Millisecond), b.Until, "u=0.9 is the interval times 1+0.8·Jitter")

	clock.Advance(2800 * time.Millisecond)
	b = failOnce(t, db, src, errors.New("flaky"))
	assert.Equal(t, 3*time.Second, b.Interval, "the interval stops at Max")
	assert.Equal(t, clock.Now().Add(3*time.Second), b.Until, "the jittered wait is capped at Max too")
}
