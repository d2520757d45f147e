package voltha_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/promhooks/promhookstest"
	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape GETs /metrics from the daemon's handler and returns every series, named as
// promhookstest.Scrape names them, with its value.
func scrape(t *testing.T, w *world) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(w.daemon.Handler())
	defer srv.Close()
	return promhookstest.Scrape(t, srv.URL+"/metrics")
}

func TestMetricsShowTheSessionItsSyncsAndTheRetriesOfACoreThatDidNotAnswer(t *testing.T) {
	cluster, cores, want := threeCores(t)
	cores.Fail("rw-core1-0", assert.AnError)
	w := start(t, cluster, cores, threeCoresLayout)
	partial := want
	partial.Affinities = want.Affinities[:1]
	w.converge(t, partial, "without its devices, the core still has its connection")
	require.Eventually(t, func() bool { return scrape(t, w)[`voltha_router_syncs_total{outcome="retry"}`] >= 2 },
		10*time.Second, 10*time.Millisecond, "the syncs that left the core unanswered are retried")
	cores.Fail("rw-core1-0", nil)
	w.converge(t, want, "the query is retried and its devices are routed")
	require.Eventually(t, func() bool { return scrape(t, w)[`voltha_router_syncs_total{outcome="done"}`] >= 1 },
		10*time.Second, 10*time.Millisecond, "the sync after which every core answered is done")

	m := scrape(t, w)
	assert.Equal(t, 1.0, m["voltha_router_sessions_total"], "one session")
	assert.Equal(t, 0.0, m["voltha_router_losses_total"])
	assert.Equal(t, 1.0, m["voltha_healthy"])
	assert.GreaterOrEqual(t, m["voltha_core_query_errors_total"], 2.0, "a failed query per retried sync")
	assert.GreaterOrEqual(t, m["voltha_router_queue_retries_total"], 2.0, "the queue scheduled the retries")
	assert.GreaterOrEqual(t, m["voltha_syncs_total"], 3.0, "every sync pushed")
	assert.Equal(t, m["voltha_syncs_total"], m["voltha_router_sync_duration_seconds"], "every sync of the loop pushed")
	assert.Equal(t, m["voltha_router_queue_work_duration_seconds"], m["voltha_router_sync_duration_seconds"], "one Done per sync")
	assert.Contains(t, m, "voltha_router_queue_depth", "the running session's queue is gauged")
}

func TestUnansweredQueriesAreRetriedUntilThePolicysAttemptsAreSpentAndAChangeStartsThemOver(t *testing.T) {
	cluster, cores, want := threeCores(t)
	cores.Fail("rw-core1-0", assert.AnError)
	threeTries := backoff.Policy{Initial: 10 * time.Millisecond, Max: 10 * time.Millisecond, Jitter: backoff.NoJitter,
		MaxElapsed: backoff.Forever, MaxAttempts: 3}
	w := start(t, cluster, cores, threeCoresLayout, voltha.WithQueryRetry(threeTries))
	partial := want
	partial.Affinities = want.Affinities[:1]
	w.converge(t, partial, "without its devices, the core still has its connection")
	syncs := func(outcome string) float64 { return scrape(t, w)[`voltha_router_syncs_total{outcome="`+outcome+`"}`] }
	// A sync that ran before the pods were listed (nothing to ask, so done) may have come first.
	doneBefore := syncs("done")
	require.Eventually(t, func() bool { return syncs("dropped") == 1 }, 10*time.Second, 5*time.Millisecond,
		"the third unanswered sync gives up")
	assert.Equal(t, 2.0, syncs("retry"), "after the first sync, two retries: three attempts")
	assert.Equal(t, 3.0, scrape(t, w)["voltha_core_query_errors_total"], "the core was asked three times")

	w.bus.Publish("olt-9", "rw-core1-1") // a change of the world
	require.Eventually(t, func() bool { return syncs("dropped") == 2 }, 10*time.Second, 5*time.Millisecond,
		"the change started the retries over, and they gave up again")
	assert.Equal(t, 4.0, syncs("retry"), "two more retries, from a fresh backoff")
	assert.Equal(t, doneBefore, syncs("done"), "the core never answered")
}
