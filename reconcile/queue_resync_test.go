package reconcile_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestQueueResyncedKeysNeverDelayAddedKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		for _, k := range []string{"r1", "r2", "r3", "r4"} {
			require.NoError(t, q.Resync(k))
		}
		require.NoError(t, q.Add("event"))
		require.NoError(t, q.Add("r3")) // promoted: an event for a key waiting in the resync
		require.NoError(t, q.Resync("event"))
		var got []string
		for range 5 {
			got = append(got, get(t, q))
		}
		assert.Equal(t, []string{"event", "r3", "r1", "r2", "r4"}, got)
		nothingReady(t, q)
	})
}

func TestQueueResyncDoesNotCutABackoffShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Max: time.Hour, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		require.NoError(t, q.Resync("a"))
		nothingReady(t, q)
	})
}

func TestQueueResyncWhileProcessingDoesNotCutABackoffShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Max: time.Hour, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Resync("a"))
		require.NoError(t, q.Done(t.Context(), "a", retry))
		start := time.Now()
		nothingReady(t, q)
		_, err := q.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, time.Hour, time.Since(start), "retried after its backoff, once")
	})
}

func TestQueueAddWhileProcessingAFailingKeyRetriesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t, reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Max: time.Hour, Jitter: backoff.NoJitter}))
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Add("a")) // an event: new information, worth a try now
		require.NoError(t, q.Done(t.Context(), "a", retry))
		assert.Equal(t, "a", get(t, q))
	})
}
