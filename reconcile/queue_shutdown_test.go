package reconcile_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile"
)

func TestQueueShutDownUnblocksGetAndRefusesAdds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		errc := make(chan error, 1)
		go func() { _, err := q.Get(t.Context()); errc <- err }()
		synctest.Wait() // the Get is blocked
		require.NoError(t, q.Add("b"))
		require.NoError(t, q.Add("c"))
		require.NoError(t, <-errc) // took b
		q.ShutDown()
		_, err := q.Get(t.Context())
		assert.ErrorIs(t, err, reconcile.ErrShutdown, "ShutDown does not hand out c, still queued")
		assert.ErrorIs(t, q.Add("d"), reconcile.ErrShutdown)
		assert.NoError(t, q.Done(t.Context(), "a", retry), "a key in flight can still be reported")
		assert.Zero(t, q.Len())
	})
}

func TestQueueShutDownUnblocksAWaitingGet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		errc := make(chan error, 1)
		go func() { _, err := q.Get(t.Context()); errc <- err }()
		synctest.Wait()
		q.ShutDown()
		assert.ErrorIs(t, <-errc, reconcile.ErrShutdown)
	})
}

func TestQueueDrainHandsOutWhatIsQueuedThenShutsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.NoError(t, q.Add("b"))
		require.NoError(t, q.AddAfter("later", time.Second))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Add("a")) // due again after Done
		q.Drain()
		assert.ErrorIs(t, q.Add("c"), reconcile.ErrShutdown)
		require.Equal(t, "b", get(t, q))
		require.NoError(t, q.Done(t.Context(), "b", retry)) // not retried while draining
		require.NoError(t, q.Done(t.Context(), "a", done))
		require.Equal(t, "a", get(t, q), "added while processed before the drain")
		require.NoError(t, q.Done(t.Context(), "a", done))
		_, err := q.Get(t.Context())
		assert.ErrorIs(t, err, reconcile.ErrShutdown, "drained: the waiting key was forgotten")
	})
}

func TestQueueGetReturnsTheContextCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		cause := errors.New("leaving")
		ctx, cancel := context.WithCancelCause(t.Context())
		go func() { time.Sleep(time.Second); cancel(cause) }()
		_, err := q.Get(ctx)
		assert.ErrorIs(t, err, cause)
		require.NoError(t, q.Add("a"))
		assert.Equal(t, "a", get(t, q), "a Get that gave up lost no key")
	})
}

func TestQueueDrainedGetWaitsForAKeyDueAgainAndThenHandsOutNothingMore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.Equal(t, "a", get(t, q))
		require.NoError(t, q.Add("a")) // due again after Done
		q.Drain()
		type got struct {
			key string
			err error
		}
		gets := make(chan got, 2)
		for range 2 {
			go func() { k, err := q.Get(t.Context()); gets <- got{k, err} }()
		}
		synctest.Wait()
		assert.Empty(t, gets, "nothing queued, but a is due again: the Gets wait rather than say shut down")
		require.NoError(t, q.Done(t.Context(), "a", done))
		first, second := <-gets, <-gets
		if first.err != nil {
			first, second = second, first
		}
		assert.Equal(t, got{"a", nil}, first)
		assert.ErrorIs(t, second.err, reconcile.ErrShutdown)
		require.NoError(t, q.Done(t.Context(), "a", retry))
		_, err := q.Get(t.Context())
		assert.ErrorIs(t, err, reconcile.ErrShutdown, "after ErrShutdown, nothing more")
	})
}

func TestQueueShutDownNotifyIsClosedOnceGetHandsOutNothingMore(t *testing.T) {
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	t.Run("shut down", func(t *testing.T) {
		var q reconcile.Queue[string]
		require.NoError(t, q.Add("a"))
		ch := q.ShutDownNotify()
		assert.False(t, closed(ch))
		q.ShutDown()
		assert.True(t, closed(ch))
		assert.Equal(t, ch, q.ShutDownNotify(), "the same channel every time")
	})
	t.Run("drained", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) { // for get's context that ends at once if Get waits
			var q reconcile.Queue[string]
			require.NoError(t, q.Add("a"))
			require.NoError(t, q.Add("b"))
			q.Drain()
			ch := q.ShutDownNotify()
			assert.Equal(t, "a", get(t, &q))
			assert.False(t, closed(ch), "b is still queued")
			assert.Equal(t, "b", get(t, &q))
			assert.True(t, closed(ch), "nothing left to hand out; a and b in flight do not count")
		})
	})
	t.Run("asked after the shutdown", func(t *testing.T) {
		var q reconcile.Queue[string]
		q.Drain()
		assert.True(t, closed(q.ShutDownNotify()))
	})
}
