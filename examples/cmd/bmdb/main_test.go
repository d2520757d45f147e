package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTheDemoBringsEveryMachineReadyAndChecksTheHistory(t *testing.T) {
	c := config{machines: 40, workers: 4, rate: 2000, queryRate: 200, latency: time.Millisecond, failRate: 0.2, busyRate: 0.05,
		broken: 0.1, ttl: 3 * time.Second, timeout: 30 * time.Second, seed: 7}
	require.NoError(t, run(context.Background(), c, slog.New(slog.DiscardHandler)))
}

func TestTheDemoFailsWhenTheWorkDoesNotFinishInTime(t *testing.T) {
	c := config{machines: 40, workers: 1, rate: 2000, queryRate: 200, latency: 50 * time.Millisecond,
		ttl: 3 * time.Second, timeout: 200 * time.Millisecond, seed: 7}
	err := run(context.Background(), c, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "not every machine ready")
}
