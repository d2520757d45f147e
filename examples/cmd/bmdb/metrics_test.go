package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/promhooks"
)

// series scrapes the program's /metrics and returns the value of the series matching re.
func series(t *testing.T, re string) float64 {
	t.Helper()
	srv := httptest.NewServer(promhooks.Handler(registry))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + re + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return 0 // a labelled series appears at its first event
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	return v
}

func TestMetricsCountTheDemosSyncsByOutcome(t *testing.T) {
	c := config{machines: 20, workers: 2, rate: 2000, queryRate: 200, latency: time.Millisecond, failRate: 0.3,
		ttl: 3 * time.Second, timeout: 30 * time.Second, seed: 3, metrics: "127.0.0.1:0"}
	runMetrics() // registered, so that the series exist before the run
	done, retried := series(t, `bmdb_syncs_total\{outcome="done"\}`), series(t, `bmdb_syncs_total\{outcome="retry"\}`)
	require.NoError(t, run(context.Background(), c, slog.New(slog.DiscardHandler)))
	// Every machine is provisioned and initialized (none is broken); some syncs fail first
	// and are retried. The registry is the process's, so other tests' runs count too: deltas.
	assert.GreaterOrEqual(t, series(t, `bmdb_syncs_total\{outcome="done"\}`)-done, float64(2*c.machines))
	assert.Greater(t, series(t, `bmdb_syncs_total\{outcome="retry"\}`)-retried, 0.0, "with a 30%% fail rate, some syncs were retried")
	assert.Greater(t, series(t, `go_goroutines`), 0.0)
}
