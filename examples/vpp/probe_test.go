package vpp_test

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// These tests run the real NetProber against real servers on 127.0.0.1, with short intervals,
// and poll the checker's state under a deadline.

const deadline = 5 * time.Second

// serveHTTP serves status on lis until the returned stop is called (or the test ends).
func serveHTTP(t *testing.T, lis net.Listener, status *atomic.Int32) (stop func()) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	})}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	var once sync.Once
	stop = func() { once.Do(func() { _ = srv.Close(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	return lis
}

// loopbackBackend is a backend checked on lis's address.
func loopbackBackend(t *testing.T, lis net.Listener, typ vpp.CheckType) vpp.Backend {
	t.Helper()
	ap := netip.MustParseAddrPort(lis.Addr().String())
	return vpp.Backend{Name: "real", Address: ap.Addr(), Check: vpp.HealthCheck{
		Type: typ, Port: ap.Port(), Path: "/healthz", Interval: 20 * time.Millisecond,
		Timeout: 200 * time.Millisecond, Rise: 2, Fall: 2}}
}

// startChecker runs a checker with the real prober on b.
func startChecker(t *testing.T, b vpp.Backend) *vpp.Checker {
	t.Helper()
	c := vpp.NewChecker([]vpp.Backend{b})
	stop := run(t, c.Run)
	t.Cleanup(func() { require.NoError(t, stop()) })
	return c
}

func requireState(t *testing.T, c *vpp.Checker, want vpp.State, why string) {
	t.Helper()
	require.Eventually(t, func() bool { return c.State("real") == want }, deadline, 5*time.Millisecond,
		"%s: want %v, have %v", why, want, c.State("real"))
}

func TestNetProber_HTTPServerThatStopsAnsweringGoesDownAndComesBack(t *testing.T) {
	lis := listen(t, "127.0.0.1:0")
	addr := lis.Addr().String()
	var status atomic.Int32
	status.Store(http.StatusOK)
	stop := serveHTTP(t, lis, &status)
	c := startChecker(t, loopbackBackend(t, lis, vpp.CheckHTTP))
	requireState(t, c, vpp.StateUp, "a server that answers 200")

	stop()
	requireState(t, c, vpp.StateDown, "a server that was stopped")
	st, err := c.Status("real")
	require.NoError(t, err)
	assert.Contains(t, st.LastError.Error(), "refused")

	serveHTTP(t, listen(t, addr), &status)
	requireState(t, c, vpp.StateUp, "the same server started again")
}

func TestNetProber_HTTPErrorStatusFailsTheCheck(t *testing.T) {
	lis := listen(t, "127.0.0.1:0")
	var status atomic.Int32
	status.Store(http.StatusFound) // a redirect passes, and is not followed
	serveHTTP(t, lis, &status)
	c := startChecker(t, loopbackBackend(t, lis, vpp.CheckHTTP))
	requireState(t, c, vpp.StateUp, "a 302")
	status.Store(http.StatusServiceUnavailable)
	requireState(t, c, vpp.StateDown, "a 503")
	st, err := c.Status("real")
	require.NoError(t, err)
	assert.EqualError(t, st.LastError, "http status 503")
}

func TestNetProber_HTTPServerThatHangsGoesDownOnTimeout(t *testing.T) {
	lis := listen(t, "127.0.0.1:0")
	hold := acceptAndHang(t, lis)
	c := startChecker(t, loopbackBackend(t, lis, vpp.CheckHTTP))
	requireState(t, c, vpp.StateDown, "a server that accepts and never answers")
	st, err := c.Status("real")
	require.NoError(t, err)
	assert.ErrorIs(t, st.LastError, context.DeadlineExceeded)
	assert.Positive(t, hold(), "the probes did connect")
}

func TestNetProber_TCPListenerThatCloses(t *testing.T) {
	lis := listen(t, "127.0.0.1:0")
	hold := acceptAndHang(t, lis)
	c := startChecker(t, loopbackBackend(t, lis, vpp.CheckTCP))
	requireState(t, c, vpp.StateUp, "a listener that accepts")
	require.NoError(t, lis.Close())
	requireState(t, c, vpp.StateDown, "a closed listener")
	assert.Positive(t, hold())
}

// acceptAndHang accepts connections on lis and never reads or writes, until lis is closed or
// the test ends. It returns a function that counts the connections accepted.
func acceptAndHang(t *testing.T, lis net.Listener) (accepted func() int) {
	t.Helper()
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = lis.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

func TestNetProber_AnyRedirectPassesEvenWithALocationThatDoesNotParse(t *testing.T) {
	lis := listen(t, "127.0.0.1:0")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "!%X0") // found by FuzzProbeHTTPResponse
		w.WriteHeader(http.StatusMovedPermanently)
	})}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	b := loopbackBackend(t, lis, vpp.CheckHTTP)
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	assert.NoError(t, vpp.NetProber{}.Probe(ctx, b), "a 3xx passes, and is not followed")
}
