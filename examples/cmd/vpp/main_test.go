package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
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

func TestDemo_EveryStepReachesItsExpectedView(t *testing.T) {
	requireLoopbackAddresses(t)
	var out bytes.Buffer
	err := run(t.Context(), &out, slog.New(slog.DiscardHandler), options{})
	require.NoError(t, err, "demo output:\n%s", out.String())
	text := out.String()
	assert.Contains(t, text, "== step 6:")
	assert.Contains(t, text, "all steps reached their expected view; dataplane sessions: 2")
	steps := strings.Split(text, "\n== step ")
	require.Len(t, steps, 7, "the view's URL, then six steps")
	assert.Contains(t, steps[3], "frontend web: 192.0.2.1 tcp/80 encap gre4 new_len 1024, active pool secondary",
		"step 3's view, read over HTTP, shows the failover")
	assert.Regexp(t, `\n  a +primary +100 +0 +0 +disabled +\d{4}-`, steps[3])
	assert.Regexp(t, `\n  c +secondary +100 +100 +100 +up +\d{4}-`, steps[3])
}

func TestDemo_AStepWhoseViewIsNotTheExpectedOneFailsTheRun(t *testing.T) {
	requireLoopbackAddresses(t)
	backends, err := startBackends(demoBackends)
	require.NoError(t, err)
	defer backends.stopAll()
	var out bytes.Buffer
	d, err := newDemo(backends, &out, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	vs, err := startViewServer(t.Context(), 0, d.ctl)
	require.NoError(t, err)
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	d.view = viewClient{base: vs.base, http: &http.Client{Transport: transport}}
	d.deadline = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.ctl.Run(ctx) }()
	ok, why := d.await(ctx, step{want: map[string]want{"a": up(100)}})
	assert.False(t, ok, "a view with one row is not the demo's")
	assert.Equal(t, "5 backends, want 1", why)
	d.deadline = stepDeadline
	ok, why = d.await(ctx, step{sessions: 1,
		want: map[string]want{"a": up(100), "b": up(100), "c": up(0), "d": up(0), "s": up(0)}})
	assert.True(t, ok, "the start view: %s", why)
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, vs.stop())
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDemo_HoldServesTheViewOn127001Only(t *testing.T) {
	requireLoopbackAddresses(t)
	var out syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, &out, slog.New(slog.DiscardHandler), options{hold: true}) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "holding") }, 30*time.Second,
		10*time.Millisecond, "the script did not end: %s", out.String())
	m := regexp.MustCompile(`operator view: (\S+)`).FindStringSubmatch(out.String())
	require.Len(t, m, 2)
	u, err := url.Parse(m[1])
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", u.Hostname())

	resp, err := http.Get(u.String())
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var d net.Dialer
	if conn, err := d.DialContext(t.Context(), "tcp", net.JoinHostPort("127.0.0.11", u.Port())); err == nil {
		_ = conn.Close()
		t.Errorf("the view answers on 127.0.0.11:%s too", u.Port())
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	require.NoError(t, <-done)
}

func TestMatches(t *testing.T) {
	w := func(n uint8) *uint8 { return &n }
	v := vpp.FrontendView{Backends: []vpp.BackendView{
		{Backend: "a", Effective: 100, Dataplane: w(100), State: vpp.StateUp},
		{Backend: "b", Effective: 0, Dataplane: w(0), State: vpp.StateDown},
	}}
	tests := []struct {
		name string
		want map[string]want
		ok   bool
	}{
		{"same", map[string]want{"a": up(100), "b": down}, true},
		{"other weight", map[string]want{"a": up(50), "b": down}, false},
		{"other state", map[string]want{"a": up(100), "b": {0, vpp.StateUp}}, false},
		{"missing row", map[string]want{"a": up(100)}, false},
		{"other backend", map[string]want{"a": up(100), "c": down}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.ok, matches(v, tt.want) == "") })
	}
	v.Backends[0].Dataplane = nil
	assert.NotEmpty(t, matches(v, map[string]want{"a": up(100), "b": down}), "the dataplane must hold the weight")
}
