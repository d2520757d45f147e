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

func TestMetricsCountTheDemosSyncsByOutcome(t *testing.T) {
	c := config{machines: 20, workers: 2, rate: 2000, queryRate: 200, latency: time.Millisecond, failRate: 0.3,
		ttl: 3 * time.Second, timeout: 30 * time.Second, seed: 3, metrics: "127.0.0.1:0"}
	require.NoError(t, run(context.Background(), c, slog.New(slog.DiscardHandler)))
	srv := httptest.NewServer(promhooks.Handler(registry))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	series := func(re string) float64 {
		m := regexp.MustCompile(`(?m)^` + re + ` (\S+)$`).FindSubmatch(body)
		require.NotNil(t, m, "no series %s in\n%s", re, body)
		v, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)
		return v
	}
	// Every machine goes through four processes; some syncs fail first and are retried.
	assert.GreaterOrEqual(t, series(`bmdb_syncs_total\{outcome="done"\}`), float64(4*c.machines))
	assert.Greater(t, series(`bmdb_syncs_total\{outcome="retry"\}`), 0.0, "with a 30%% fail rate, some syncs were retried")
	assert.Greater(t, series(`go_goroutines`), 0.0)
}
