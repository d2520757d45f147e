package reconcile_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

// waitFor hands out the next key and returns how long it took to be ready.
func waitFor(t *testing.T, q *reconcile.Queue[string]) time.Duration {
	t.Helper()
	start := time.Now()
	_, err := q.Get(t.Context())
	require.NoError(t, err)
	return time.Since(start)
}

func TestQueueRetryAfterKeepsTheFailureCountWithoutGrowingIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Second, Max: time.Hour, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		assert.Equal(t, time.Second, waitFor(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		assert.Equal(t, 2*time.Second, waitFor(t, q))
		require.NoError(t, q.Done(t.Context(), "a", reconcile.OutcomeOf(backoff.RetryAfter(10*time.Second, errors.New("busy")))))
		assert.Equal(t, 10*time.Second, waitFor(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		assert.Equal(t, 4*time.Second, waitFor(t, q), "the third failure: kept through the retry-after, not grown by it")
	})
}

func TestQueueNeverGivesUpOnAKeyByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Second, Max: time.Minute,
			MaxAttempts: 2, MaxElapsed: time.Second, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		for range 20 {
			require.NoError(t, q.Done(t.Context(), "a", retry))
			assert.LessOrEqual(t, waitFor(t, q), time.Minute, "retried, capped at Max, past MaxAttempts and MaxElapsed")
		}
	})
}

func TestQueueMaxKeysCountsKeysInFlightAndWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueMaxKeys(2))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q)) // in flight
		require.NoError(t, q.Add("b"))
		require.Equal(t, "b", get(t, q))
		require.NoError(t, q.Done(t.Context(), "b", retry)) // waiting for its backoff
		assert.ErrorIs(t, q.Add("c"), reconcile.ErrQueueFull)
		assert.ErrorIs(t, q.AddAfter("c", time.Second), reconcile.ErrQueueFull)
		assert.ErrorIs(t, q.Resync("c"), reconcile.ErrQueueFull)
		assert.NoError(t, q.Add("a"), "a key in flight is held: re-adding it is not a new key")
		assert.NoError(t, q.AddAfter("b", time.Second))
		assert.NoError(t, q.Resync("b"))
	})
}

func TestQueueDoneOfAKeyNotInFlightIsAnErrorAndChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", done))
		assert.Error(t, q.Done(t.Context(), "a", retry), "Done twice")
		nothingReady(t, q) // the second Done did not queue a retry

		require.NoError(t, q.Add("b"))
		assert.Error(t, q.Done(t.Context(), "b", reconcile.OutcomeOf(backoff.Permanent(errors.New("bad")))))
		assert.Equal(t, "b", get(t, q), "a queued key stays queued")
	})
}

func TestQueueAddsAfterShutDownOrDrainReturnErrShutdown(t *testing.T) {
	for name, stop := range map[string]func(*reconcile.Queue[string]){
		"shut down": (*reconcile.Queue[string]).ShutDown, "drained": (*reconcile.Queue[string]).Drain,
	} {
		t.Run(name, func(t *testing.T) {
			q := newQueue(t)
			stop(q)
			assert.ErrorIs(t, q.Add("a"), reconcile.ErrShutdown)
			assert.ErrorIs(t, q.AddAfter("a", time.Second), reconcile.ErrShutdown)
			assert.ErrorIs(t, q.AddAfter("a", -time.Second), reconcile.ErrShutdown)
			assert.ErrorIs(t, q.Resync("a"), reconcile.ErrShutdown)
			_, err := q.Get(t.Context())
			assert.ErrorIs(t, err, reconcile.ErrShutdown)
		})
	}
}

func TestQueueAddAfterOfANegativeOrHugeDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.AddAfter("a", -time.Hour))
		assert.Equal(t, "a", get(t, q), "negative: now")
		require.NoError(t, q.Done(t.Context(), "a", done))

		require.NoError(t, q.AddAfter("b", math.MaxInt64))
		time.Sleep(100 * 365 * 24 * time.Hour)
		nothingReady(t, q) // not overflowed into the past
		require.NoError(t, q.Add("b"))
		assert.Equal(t, "b", get(t, q))
		require.NoError(t, q.Done(t.Context(), "b", reconcile.OutcomeOf(backoff.RetryAfter(math.MaxInt64, errors.New("later")))))
		nothingReady(t, q)
	})
}

func TestQueueKeyAddedWhileProcessedIsQueuedAtOnceWhateverTheOutcome(t *testing.T) {
	outcomes := map[string]reconcile.Outcome{
		"done":        done,
		"retry":       retry,
		"retry-after": reconcile.OutcomeOf(backoff.RetryAfter(time.Hour, errors.New("busy"))),
		"dropped":     reconcile.OutcomeOf(backoff.Permanent(errors.New("bad"))),
	}
	for name, o := range outcomes {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Max: time.Hour}))
				require.NoError(t, q.Add("a"))
				require.Equal(t, "a", get(t, q))
				require.NoError(t, q.Add("a"))
				require.NoError(t, q.Done(t.Context(), "a", o))
				assert.Equal(t, "a", get(t, q))
			})
		})
	}
}

func TestQueueGetAndDoneDoNotAllocate(t *testing.T) {
	q := newQueue(t)
	ctx := context.Background()
	cycle := func() {
		_ = q.Add("a")
		k, _ := q.Get(ctx)
		_ = q.Done(ctx, k, done)
	}
	cycle() // the first add makes the map and buffers
	assert.Zero(t, testing.AllocsPerRun(100, cycle))
}
