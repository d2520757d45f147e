package reconcile

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
)

// TestQueueMemoryReturnsToZeroWhenKeysStopComing pushes many keys through every path (add,
// re-add while processing, delayed add, resync, promotion, failure and backoff, retry-after,
// drop) and checks that, once every key is done, the queue holds nothing: no key state, no
// buffer beyond a small one, no waiting entry, no timer armed.
func TestQueueMemoryReturnsToZeroWhenKeysStopComing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, err := NewQueue[string](WithQueueBackoff(backoff.Policy{Initial: time.Millisecond, Max: time.Second}))
		require.NoError(t, err)
		const n = 5000
		for i := range n {
			k := fmt.Sprint(i)
			switch i % 4 {
			case 0:
				require.NoError(t, q.Add(k))
			case 1:
				require.NoError(t, q.AddAfter(k, time.Duration(i)*time.Millisecond))
			case 2:
				require.NoError(t, q.Resync(k))
			case 3:
				require.NoError(t, q.Resync(k))
				require.NoError(t, q.Add(k)) // promoted: leaves a stale entry behind
			}
		}
		failed := map[string]int{}
		for processed := 0; processed < n; {
			k, err := q.Get(t.Context())
			require.NoError(t, err)
			out := Outcome{Kind: OutcomeDone}
			switch failed[k]++; {
			case failed[k] == 1 && len(k)%2 == 0:
				out = OutcomeOf(errors.New("transient"))
			case failed[k] == 1 && k[0] == '1':
				out = OutcomeOf(backoff.RetryAfter(time.Second, errors.New("busy")))
			case failed[k] == 1 && k[0] == '2':
				require.NoError(t, q.Add(k)) // re-added while processing
			}
			if k[0] == '3' && failed[k] == 1 {
				out = OutcomeOf(backoff.Permanent(errors.New("bad")))
			}
			require.NoError(t, q.Done(t.Context(), k, out))
			if out.Kind == OutcomeDone || out.Kind == OutcomeDropped {
				if q.keys[k].flags&queued == 0 {
					processed++
				}
			}
		}
		synctest.Wait()
		assert.Empty(t, q.keys, "no key state left")
		assert.Nil(t, q.keys, "the large map was released")
		assert.Zero(t, q.ready.len())
		assert.LessOrEqual(t, cap(q.ready.buf), fifoKeep)
		assert.Zero(t, q.low.len())
		assert.LessOrEqual(t, cap(q.low.buf), fifoKeep)
		assert.Zero(t, q.waiting.len())
		assert.LessOrEqual(t, cap(q.waiting.items), fifoKeep)
		assert.Zero(t, q.queued)
		assert.Zero(t, q.stale)
		assert.True(t, q.timerAt.IsZero(), "no timer armed")
		assert.Empty(t, q.waiters)
	})
}

// TestQueueStaleResyncEntriesStayBounded promotes resynced keys again and again while the queue
// never runs dry, and checks that the low-priority fifo does not grow with the promotions.
func TestQueueStaleResyncEntriesStayBounded(t *testing.T) {
	var q Queue[int]
	for round := range 50 {
		for k := range 100 {
			require.NoError(t, q.Resync(k))
			require.NoError(t, q.Add(k))
		}
		for range 100 {
			k, err := q.Get(t.Context())
			require.NoError(t, err)
			require.NoError(t, q.Done(t.Context(), k, Outcome{}))
		}
		assert.LessOrEqual(t, q.low.len(), 2*100+32, "round %d", round)
	}
}
