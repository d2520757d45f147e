package promhooks_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/promhooks"
	"github.com/steadfast-go/steadfast/examples/promhooks/promhookstest"
	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/watch"
)

// scrape reads every series url serves.
func scrape(t *testing.T, url string) map[string]float64 { return promhookstest.Scrape(t, url) }

// value is the value of the series name{label="value",...}, or -1 if it is absent.
func value(series map[string]float64, name string, labels ...string) float64 {
	key := name
	if len(labels) > 0 {
		var pairs []string
		for i := 0; i+1 < len(labels); i += 2 {
			pairs = append(pairs, labels[i]+`="`+labels[i+1]+`"`)
		}
		key += "{" + strings.Join(pairs, ",") + "}"
	}
	v, ok := series[key]
	if !ok {
		return -1
	}
	return v
}

func TestAScrapeShowsWhatAQueueAndRunDid(t *testing.T) {
	reg := prometheus.NewRegistry()
	var q *reconcile.Queue[string]
	qh, err := promhooks.Queue(reg, "test", func() reconcile.QueueStats { return q.Stats() })
	require.NoError(t, err)
	rh, err := promhooks.Run(reg, "test")
	require.NoError(t, err)
	q, err = reconcile.NewQueue[string](reconcile.WithQueueHooks(qh), reconcile.WithQueueBackoff(backoff.Policy{Initial: time.Millisecond, Max: time.Millisecond}))
	require.NoError(t, err)
	srv := httptest.NewServer(promhooks.Handler(reg))
	defer srv.Close()

	before := scrape(t, srv.URL)
	assert.Equal(t, 0.0, value(before, "test_queue_adds_total"), "a series exists from registration")
	assert.Equal(t, 0.0, value(before, "test_queue_depth"))

	for _, k := range []string{"ok", "flaky", "broken"} {
		require.NoError(t, q.Add(k))
	}
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	left := map[string]bool{"ok": true, "flaky": true, "broken": true}
	failed := false
	sync := reconcile.SyncFunc[string](func(_ context.Context, k string) error {
		mu.Lock()
		defer mu.Unlock()
		if k == "flaky" && !failed {
			failed = true
			return errors.New("flaky")
		}
		if delete(left, k); len(left) == 0 {
			cancel()
		}
		if k == "broken" {
			return backoff.Permanent(errors.New("broken"))
		}
		return nil
	})
	require.NoError(t, reconcile.Run(ctx, q, sync, reconcile.WithHooks(rh)))

	after := scrape(t, srv.URL)
	assert.Equal(t, 3.0, value(after, "test_queue_adds_total"))
	assert.Equal(t, 1.0, value(after, "test_queue_retries_total"))
	assert.Equal(t, 4.0, value(after, "test_queue_latency_seconds"), "one Get per sync")
	assert.Equal(t, 4.0, value(after, "test_queue_work_duration_seconds"), "one Done per sync")
	assert.Equal(t, 0.0, value(after, "test_queue_depth"))
	assert.Equal(t, 0.0, value(after, "test_queue_in_flight"))
	assert.Equal(t, 0.0, value(after, "test_queue_longest_running_seconds"))
	assert.Equal(t, 2.0, value(after, "test_syncs_total", "outcome", "done"))
	assert.Equal(t, 1.0, value(after, "test_syncs_total", "outcome", "retry"))
	assert.Equal(t, 1.0, value(after, "test_syncs_total", "outcome", "dropped"))
	assert.Equal(t, 4.0, value(after, "test_sync_duration_seconds"))
}

func TestTheQueueGaugesShowAKeyInFlight(t *testing.T) {
	reg := prometheus.NewRegistry()
	var q *reconcile.Queue[string]
	qh, err := promhooks.Queue(reg, "test", func() reconcile.QueueStats { return q.Stats() })
	require.NoError(t, err)
	q, err = reconcile.NewQueue[string](reconcile.WithQueueHooks(qh))
	require.NoError(t, err)
	require.NoError(t, q.Add("a"))
	require.NoError(t, q.Add("b"))
	require.NoError(t, q.AddAfter("c", time.Hour))
	k, err := q.Get(t.Context())
	require.NoError(t, err)
	srv := httptest.NewServer(promhooks.Handler(reg))
	defer srv.Close()
	fams := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(fams, "test_queue_depth"))
	assert.Equal(t, 1.0, value(fams, "test_queue_waiting"))
	assert.Equal(t, 1.0, value(fams, "test_queue_in_flight"))
	assert.GreaterOrEqual(t, value(fams, "test_queue_longest_running_seconds"), 0.0)
	require.NoError(t, q.Done(t.Context(), k, reconcile.OutcomeOf(nil)))
	q.ShutDown()
}

func TestAScrapeShowsRetriesRestartsAndSessions(t *testing.T) {
	reg := prometheus.NewRegistry()
	bh, err := promhooks.Backoff(reg, "test")
	require.NoError(t, err)
	wh, err := promhooks.Watch(reg, "test")
	require.NoError(t, err)
	ch, err := promhooks.Connctx(reg, "test_router")
	require.NoError(t, err)

	calls := 0
	err = backoff.Retry(t.Context(), backoff.Policy{Initial: time.Nanosecond, Jitter: backoff.NoJitter}, func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	}, backoff.WithHooks(bh))
	require.NoError(t, err)
	wh.OnRestart(watch.Restart{Resource: "pods"})
	wh.OnRestart(watch.Restart{Resource: "pods"})
	wh.OnRelist(watch.Relist{Resource: "nodes"})
	wh.OnGiveUp(&watch.GiveUpError{Resource: "nodes"})
	ch.OnConnected(connctx.Connected{Session: 1})
	ch.OnLost(connctx.Lost{Session: 1, Uptime: 2 * time.Second})
	ch.OnDialError(backoff.Retrying{Attempt: 1})

	srv := httptest.NewServer(promhooks.Handler(reg))
	defer srv.Close()
	fams := scrape(t, srv.URL)
	assert.Equal(t, 2.0, value(fams, "test_retries_total"), "two failed attempts retried")
	assert.Equal(t, 2.0, value(fams, "test_watch_restarts_total", "resource", "pods"))
	assert.Equal(t, -1.0, value(fams, "test_watch_restarts_total", "resource", "nodes"), "no restart of nodes")
	assert.Equal(t, 1.0, value(fams, "test_watch_relists_total", "resource", "nodes"))
	assert.Equal(t, 1.0, value(fams, "test_watch_giveups_total", "resource", "nodes"))
	assert.Equal(t, 1.0, value(fams, "test_router_sessions_total"))
	assert.Equal(t, 1.0, value(fams, "test_router_losses_total"))
	assert.Equal(t, 1.0, value(fams, "test_router_dial_errors_total"))
	assert.Equal(t, 1.0, value(fams, "test_router_session_seconds"))
}

func TestAPrefixRegisteredTwiceIsAnErrorAndRegistersNothing(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, err := promhooks.Watch(reg, "test")
	require.NoError(t, err)
	_, err = promhooks.Watch(reg, "test")
	var already prometheus.AlreadyRegisteredError
	require.ErrorAs(t, err, &already)

	other := prometheus.NewRegistry()
	require.NoError(t, other.Register(prometheus.NewCounter(prometheus.CounterOpts{Name: "test_queue_retries_total", Help: "taken"})))
	_, err = promhooks.Queue(other, "test", nil)
	require.Error(t, err)
	fams, err := other.Gather()
	require.NoError(t, err)
	require.Len(t, fams, 1, "the adds registered before the clash were unregistered")
	_, err = promhooks.Backoff(nil, "test")
	require.Error(t, err)
}

func TestServeAnswersUntilItsContextEnds(t *testing.T) {
	reg := prometheus.NewRegistry()
	bh, err := promhooks.Backoff(reg, "test")
	require.NoError(t, err)
	bh.OnRetry(backoff.Retrying{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- promhooks.Serve(ctx, lis, reg) }()
	fams := scrape(t, "http://"+lis.Addr().String()+"/metrics")
	assert.Equal(t, 1.0, value(fams, "test_retries_total"))
	cancel()
	assert.NoError(t, <-done, "nil when its context ends")
}

func TestConvergeHooksCountCallsByResult(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, err := promhooks.Converge(reg, "test")
	require.NoError(t, err)
	h.OnCreate("a", nil)
	h.OnCreate("b", errors.New("quota"))
	h.OnDestroy("c", nil)
	h.OnWait(converge.WaitInfo{})
	h.OnPass(converge.PassInfo{})
	h.OnPass(converge.PassInfo{})
	ctx, cancel := context.WithCancel(t.Context())
	bound, wait, err := promhooks.Start(ctx, "127.0.0.1:0", reg)
	require.NoError(t, err)
	fams := scrape(t, "http://"+bound+"/metrics")
	assert.Equal(t, 1.0, value(fams, "test_creates_total", "result", "ok"))
	assert.Equal(t, 1.0, value(fams, "test_creates_total", "result", "error"))
	assert.Equal(t, 1.0, value(fams, "test_destroys_total", "result", "ok"))
	assert.Equal(t, 1.0, value(fams, "test_waits_total"))
	assert.Equal(t, 2.0, value(fams, "test_passes_total"))
	cancel()
	assert.NoError(t, wait())
}
