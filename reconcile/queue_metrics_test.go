package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestRequeueAfterForgetsFailuresAndComesBackAfterTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("k"))
		ctx := t.Context()
		key, err := q.Get(ctx)
		require.NoError(t, err)
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(errors.New("boom"))))
		synctest.Wait()
		time.Sleep(time.Second) // past any first backoff, in fake time
		key, err = q.Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, q.Failures(key), "one failure in a row so far")
		start := time.Now()
		o := reconcile.OutcomeOf(fmt.Errorf("poll again: %w", reconcile.RequeueAfter(time.Minute)))
		assert.Equal(t, reconcile.Outcome{Kind: reconcile.OutcomeRequeue, After: time.Minute}, o, "a success with a delay, kept through wrapping")
		require.NoError(t, q.Done(ctx, key, o))
		assert.Zero(t, q.Failures("k"), "a requeue is a success: failures forgotten")
		key, err = q.Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, "k", key)
		assert.Equal(t, time.Minute, time.Since(start), "handed out again exactly after the delay")
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(nil)))
	})
}

func TestRequeueAfterLosesToAnEarlierAdd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("k"))
		ctx := t.Context()
		key, _ := q.Get(ctx)
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(reconcile.RequeueAfter(time.Hour))))
		start := time.Now()
		require.NoError(t, q.AddAfter("k", time.Minute))
		key, err := q.Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, time.Minute, time.Since(start), "the earliest pending add wins")
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(nil)))
		assert.Zero(t, q.Stats().Waiting, "no second entry left waiting for the hour")
	})
}

func TestRequeueAfterIsNotPostponedByALaterAdd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("k"))
		ctx := t.Context()
		key, _ := q.Get(ctx)
		start := time.Now()
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(reconcile.RequeueAfter(time.Minute))))
		require.NoError(t, q.AddAfter("k", time.Hour))
		key, err := q.Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, time.Minute, time.Since(start), "the earliest pending time wins, whichever came first")
		require.NoError(t, q.Done(ctx, key, reconcile.OutcomeOf(nil)))
		assert.Zero(t, q.Stats().Waiting, "no second entry left waiting for the hour")
	})
}

func TestPermanentAndRetryAfterWinOverRequeueAfter(t *testing.T) {
	rq := reconcile.RequeueAfter(time.Minute)
	assert.Equal(t, reconcile.OutcomeDropped, reconcile.OutcomeOf(backoff.Permanent(rq)).Kind)
	assert.Equal(t, reconcile.OutcomeRetryAfter, reconcile.OutcomeOf(backoff.RetryAfter(time.Second, rq)).Kind)
	assert.Equal(t, reconcile.Outcome{Kind: reconcile.OutcomeRequeue}, reconcile.OutcomeOf(reconcile.RequeueAfter(-time.Second)),
		"a negative delay is now")
	assert.Equal(t, "requeue", reconcile.OutcomeRequeue.String())
}

func TestQueueHooksReportWhatWorkqueuesMetricsReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var adds, retries int
		var waited, worked []time.Duration
		q, err := reconcile.NewQueue[string](reconcile.WithQueueHooks(reconcile.QueueHooks{
			OnAdd:   func() { mu.Lock(); adds++; mu.Unlock() },
			OnGet:   func(d time.Duration) { mu.Lock(); waited = append(waited, d); mu.Unlock() },
			OnDone:  func(d time.Duration, _ reconcile.Outcome) { mu.Lock(); worked = append(worked, d); mu.Unlock() },
			OnRetry: func() { mu.Lock(); retries++; mu.Unlock() },
		}), reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Hour, Jitter: backoff.NoJitter}))
		require.NoError(t, err)
		ctx := t.Context()
		require.NoError(t, q.Add("a"))
		require.NoError(t, q.Add("a")) // deduplicated, still an add
		require.NoError(t, q.Add("b"))
		time.Sleep(3 * time.Second)
		a, _ := q.Get(ctx)
		time.Sleep(2 * time.Second)
		st := q.Stats()
		assert.Equal(t, reconcile.QueueStats{Queued: 1, InFlight: 1, LongestRunning: 2 * time.Second, UnfinishedWork: 2 * time.Second}, st)
		require.NoError(t, q.Done(ctx, a, reconcile.OutcomeOf(errors.New("boom"))))
		b, _ := q.Get(ctx)
		require.NoError(t, q.Done(ctx, b, reconcile.OutcomeOf(nil)))
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 3, adds)
		assert.Equal(t, []time.Duration{3 * time.Second, 5 * time.Second}, waited, "queue latency from when each became ready")
		assert.Equal(t, []time.Duration{2 * time.Second, 0}, worked, "work duration from Get to Done")
		assert.Equal(t, 1, retries)
		assert.Equal(t, reconcile.QueueStats{Waiting: 1}, q.Stats(), "a waits for its retry")
	})
}

func TestQueueWithoutTimedHooksReportsCountsButNoDurations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		require.NoError(t, q.AddAfter("b", time.Hour))
		_, err := q.Get(context.Background())
		require.NoError(t, err)
		time.Sleep(2 * time.Second) // a key in flight for 2 s: a queue that read the clock would say so
		assert.Equal(t, reconcile.QueueStats{Waiting: 1, InFlight: 1}, q.Stats())
		q.ShutDown()
	})
}
