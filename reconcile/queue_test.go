package reconcile_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

var (
	done  = reconcile.Outcome{Kind: reconcile.OutcomeDone}
	retry = reconcile.Outcome{Kind: reconcile.OutcomeRetry, Err: errors.New("boom")}
)

// get takes a key that must be ready now.
func get(t *testing.T, q *reconcile.Queue[string]) string {
	t.Helper()
	key, err := q.Get(readyCtx(t))
	require.NoError(t, err, "expected a key ready now")
	return key
}

// readyCtx is a context for a Get that must not block: under synctest it ends at once if the Get
// would have to wait for time to pass.
func readyCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	t.Cleanup(cancel)
	return ctx
}

// nothingReady asserts that no key is ready now.
func nothingReady(t *testing.T, q *reconcile.Queue[string]) {
	t.Helper()
	key, err := q.Get(readyCtx(t))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "expected no key ready, got %q", key)
}

func newQueue(t *testing.T, opts ...reconcile.QueueOption) *reconcile.Queue[string] {
	t.Helper()
	q, err := reconcile.NewQueue[string](opts...)
	require.NoError(t, err)
	return q
}

func TestQueueAddOfAQueuedKeyDoesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		for _, k := range []string{"a", "b", "a", "a", "b"} {
			require.NoError(t, q.Add(k))
		}
		assert.Equal(t, 2, q.Len())
		assert.Equal(t, "a", get(t, q))
		assert.Equal(t, "b", get(t, q))
		nothingReady(t, q)
	})
}

func TestQueueKeyAddedWhileProcessedIsProcessedOnceMoreAfterDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Add("a"))
		require.NoError(t, q.Add("a"))
		nothingReady(t, q) // not handed out while a worker has it
		require.NoError(t, q.Done(t.Context(), "a", done))
		assert.Equal(t, "a", get(t, q), "re-added while processed: processed once more")
		require.NoError(t, q.Done(t.Context(), "a", done))
		nothingReady(t, q) // and only once
	})
}

func TestQueueZeroValueIsReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var q reconcile.Queue[int]
		require.NoError(t, q.Add(7))
		key, err := q.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 7, key)
		require.NoError(t, q.Done(t.Context(), 7, done))
	})
}

func TestQueueAddAfterDedupesWithAddEarliestWins(t *testing.T) {
	tests := []struct {
		name  string
		adds  func(q *reconcile.Queue[string])
		ready time.Duration // when the key is handed out
	}{
		{"Add then AddAfter: now", func(q *reconcile.Queue[string]) { q.Add("a"); q.AddAfter("a", 10*time.Second) }, 0},
		{"AddAfter then Add: now", func(q *reconcile.Queue[string]) { q.AddAfter("a", 10*time.Second); q.Add("a") }, 0},
		{"later AddAfter then earlier", func(q *reconcile.Queue[string]) { q.AddAfter("a", 10*time.Second); q.AddAfter("a", 5*time.Second) }, 5 * time.Second},
		{"earlier AddAfter then later", func(q *reconcile.Queue[string]) { q.AddAfter("a", 5*time.Second); q.AddAfter("a", 10*time.Second) }, 5 * time.Second},
		{"AddAfter of zero is Add", func(q *reconcile.Queue[string]) { q.AddAfter("a", 0) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newQueue(t)
				start := time.Now()
				tt.adds(q)
				key, err := q.Get(t.Context())
				require.NoError(t, err)
				assert.Equal(t, "a", key)
				assert.Equal(t, tt.ready, time.Since(start), "handed out at the earliest time")
				require.NoError(t, q.Done(t.Context(), "a", done))
				time.Sleep(time.Minute) // fake time: past every AddAfter
				nothingReady(t, q)      // the later adds were absorbed, not queued again
			})
		})
	}
}

func TestQueueBackoffGrowsWithEachFailureAndIsForgottenOnSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Second, Max: time.Minute, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		var waits []time.Duration
		for range 4 {
			require.NoError(t, q.Done(t.Context(), "a", retry))
			start := time.Now()
			_, err := q.Get(t.Context())
			require.NoError(t, err)
			waits = append(waits, time.Since(start))
		}
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, waits)

		require.NoError(t, q.Done(t.Context(), "a", done))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		start := time.Now()
		_, err := q.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, time.Second, time.Since(start), "success forgot the failures: back to Initial")
	})
}

func TestQueueRetryAfterWaitsTheHintAndDroppedIsForgotten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", reconcile.OutcomeOf(backoff.RetryAfter(42*time.Second, errors.New("busy")))))
		start := time.Now()
		_, err := q.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 42*time.Second, time.Since(start))

		require.NoError(t, q.Done(t.Context(), "a", reconcile.OutcomeOf(backoff.Permanent(errors.New("bad")))))
		time.Sleep(time.Hour)
		nothingReady(t, q)
	})
}

func TestQueueAddDuringBackoffRetriesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Max: time.Hour}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		nothingReady(t, q)
		require.NoError(t, q.Add("a"), "an event during the backoff")
		assert.Equal(t, "a", get(t, q))
	})
}

func TestQueueFullRefusesNewKeysButNotKeysItHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueMaxKeys(2))
		require.NoError(t, q.Add("a"))
		require.NoError(t, q.AddAfter("b", time.Second))
		assert.ErrorIs(t, q.Add("c"), reconcile.ErrQueueFull)
		assert.ErrorIs(t, q.Resync("c"), reconcile.ErrQueueFull)
		assert.NoError(t, q.Add("b"), "b is held: not a new key")
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", done))
		assert.NoError(t, q.Add("c"), "a was forgotten, so there is room")
	})
}

func TestQueueDoneOfAKeyNotHandedOutIsAnError(t *testing.T) {
	q := newQueue(t)
	assert.Error(t, q.Done(t.Context(), "a", done))
	require.NoError(t, q.Add("a"))
	assert.Error(t, q.Done(t.Context(), "a", done), "queued but not handed out")
}

func TestNewQueueRejectsAnInvalidPolicy(t *testing.T) {
	_, err := reconcile.NewQueue[string](reconcile.WithQueueBackoff(backoff.Policy{Initial: -1}))
	assert.ErrorIs(t, err, backoff.ErrInvalidPolicy)
}

func TestQueueAddAfterAndAddDedupeAKeyHasAtMostOnePendingEntry(t *testing.T) {
	retryAfter := func(d time.Duration) reconcile.Outcome {
		return reconcile.OutcomeOf(backoff.RetryAfter(d, errors.New("busy")))
	}
	dropped := reconcile.OutcomeOf(backoff.Permanent(errors.New("bad")))
	tests := []struct {
		name    string
		resync  bool // a Resync while processed, besides the AddAfter
		outcome reconcile.Outcome
		ready   time.Duration // when the key is handed out again, once
	}{
		{"retry-after 0 retries now, and not again after the hour", false, retryAfter(0), 0},
		{"a negative retry-after retries now, and not again after the hour", false, retryAfter(-time.Second), 0},
		{"retry-after 10s, earlier than the AddAfter", false, retryAfter(10 * time.Second), 10 * time.Second},
		{"retry-after 2h, later than the AddAfter", false, retryAfter(2 * time.Hour), time.Hour},
		{"a failure's backoff, earlier", false, retry, time.Second},
		{"done keeps the AddAfter", false, done, time.Hour},
		{"dropped keeps the AddAfter", false, dropped, time.Hour},
		{"a resync swallows no AddAfter when a longer backoff drops the resync", true, retryAfter(3 * time.Hour), time.Hour},
		{"a resync with done retries now, once", true, done, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Second, Jitter: backoff.NoJitter}))
				require.NoError(t, q.Add("a"))
				require.Equal(t, "a", get(t, q))
				if tt.resync {
					require.NoError(t, q.Resync("a"))
				}
				require.NoError(t, q.AddAfter("a", time.Hour))
				require.NoError(t, q.Done(t.Context(), "a", tt.outcome))
				start := time.Now()
				key, err := q.Get(t.Context())
				require.NoError(t, err)
				require.Equal(t, "a", key)
				assert.Equal(t, tt.ready, time.Since(start), "handed out at the earliest of its entries")
				require.NoError(t, q.Done(t.Context(), "a", done))
				time.Sleep(3 * time.Hour)
				nothingReady(t, q) // the other entry was absorbed, not kept
			})
		})
	}
}
