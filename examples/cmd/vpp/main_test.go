package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// TestMain fails the tests if any goroutine outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// requireLoopbackAddresses skips when 127.0.0.11 cannot be bound (not Linux).
func requireLoopbackAddresses(t *testing.T) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.11:0")
	if err != nil {
		t.Skipf("the demo needs the loopback addresses 127.0.0.11 and up (Linux): %v", err)
	}
	_ = lis.Close()
}

func TestDemo_EveryStepReachesItsExpectedTable(t *testing.T) {
	requireLoopbackAddresses(t)
	var out bytes.Buffer
	err := run(t.Context(), &out, slog.New(slog.DiscardHandler))
	require.NoError(t, err, "demo output:\n%s", out.String())
	assert.Contains(t, out.String(), "== step 6:")
	assert.Contains(t, out.String(), "all steps reached their expected table; dataplane sessions: 2")
}

func TestDemo_AStepWhoseTableIsNotTheExpectedOneFailsTheRun(t *testing.T) {
	requireLoopbackAddresses(t)
	backends, err := startBackends(demoBackends)
	require.NoError(t, err)
	defer backends.stopAll()
	var out bytes.Buffer
	d, err := newDemo(backends, &out, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	d.deadline = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.ctl.Run(ctx) }()
	_, ok := d.await(ctx, step{want: map[string]want{"a": up(100)}})
	assert.False(t, ok, "a table with one row is not the demo's")
	rows, ok := d.await(ctx, step{sessions: 1,
		want: map[string]want{"a": up(100), "b": up(100), "c": up(0), "d": up(0), "s": up(0)}})
	assert.True(t, ok, "the start table: %v", rows)
	cancel()
	require.NoError(t, <-done)
}

func TestMatches(t *testing.T) {
	rows := []vpp.Row{{Backend: "a", Effective: 100, State: vpp.StateUp}, {Backend: "b", Effective: -1, State: vpp.StateDown}}
	tests := []struct {
		name string
		want map[string]want
		ok   bool
	}{
		{"same", map[string]want{"a": up(100), "b": {-1, vpp.StateDown}}, true},
		{"other weight", map[string]want{"a": up(50), "b": {-1, vpp.StateDown}}, false},
		{"other state", map[string]want{"a": up(100), "b": {-1, vpp.StateUp}}, false},
		{"missing row", map[string]want{"a": up(100)}, false},
		{"other backend", map[string]want{"a": up(100), "c": {-1, vpp.StateDown}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.ok, matches(rows, tt.want)) })
	}
}
