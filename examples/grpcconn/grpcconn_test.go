package grpcconn_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
	"github.com/steadfast-go/steadfast/examples/grpcconn/grpcconntest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWithConnEndsWhenTheServerIsKilled(t *testing.T) {
	srv, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	cc, err := grpcconn.DialReady(t.Context(), addr)
	require.NoError(t, err)
	defer cc.Close()
	ctx, cancel := connctx.WithConn(t.Context(), cc, connectivity.Ready) // S inferred: connectivity.State
	defer cancel()

	srv.Stop() // closes the listener and every connection
	waitDone(t, ctx, 5*time.Second)
	cause := context.Cause(ctx)
	assert.ErrorIs(t, cause, connctx.ErrConnLost)
	t.Logf("cause: %v", cause)
}

// session is what the supervised test runs on each connection: it watches the server's health
// over a stream (which also keeps the channel from going idle) and, like arouterd, starts a
// worker that lives as long as the connection.
type session struct {
	runs    atomic.Int32
	running atomic.Int32 // workers alive
	started chan int32   // the run number, once its stream delivered SERVING
}

func (s *session) run(ctx context.Context, cc *grpc.ClientConn, g *errgroup.Group) error {
	n := s.runs.Add(1)
	if r := s.running.Load(); r != 0 {
		return backoff.Permanent(assert.AnError) // a worker of the previous session is alive
	}
	s.running.Add(1)
	g.Go(func() error {
		defer s.running.Add(-1)
		<-ctx.Done()
		return nil
	})
	stream, err := healthpb.NewHealthClient(cc).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	resp, err := stream.Recv()
	if err != nil {
		return err
	}
	if resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
		s.started <- n
	}
	for {
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
}

func TestSuperviseReconnectsAfterTheServerRestartsAndRunsTheSessionAgain(t *testing.T) {
	srv, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	s := &session{started: make(chan int32, 4)}
	lost := make(chan error, 4)
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		fast := backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: backoff.Forever}
		done <- connctx.Supervise(ctx,
			func(ctx context.Context) (*grpc.ClientConn, error) { return grpcconn.DialReady(ctx, addr) },
			connctx.StateLifetime[*grpc.ClientConn](connectivity.Ready),
			s.run,
			connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast),
			connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) { lost <- l.Cause }}))
	}()

	assert.Equal(t, int32(1), receive(t, s.started), "the first session is streaming")
	srv.Stop()
	// The stream and the channel state see the same closed transport; whichever is first, the
	// loss is the cause.
	cause := receive(t, lost)
	assert.ErrorIs(t, cause, connctx.ErrConnLost, "killing the server ends the session, got %v", cause)

	grpcconntest.StartServer(t, addr) // the same port
	assert.Equal(t, int32(2), receive(t, s.started), "the session ran again, from scratch")

	stop()
	assert.NoError(t, receive(t, done), "Supervise returns nil when its context ends")
	assert.Zero(t, s.running.Load(), "no worker outlives Supervise")
}

// receive waits for a value under a deadline.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received within 10s")
		panic("unreachable")
	}
}

func TestWithConnDetectsAFrozenPeerThroughKeepalive(t *testing.T) {
	if testing.Short() {
		t.Skip("takes keepalive time + timeout, 11 s")
	}
	_, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	p := grpcconntest.StartProxy(t, addr)
	cc, err := grpcconn.DialReady(t.Context(), p.Addr())
	require.NoError(t, err)
	defer cc.Close()
	ctx, cancel := connctx.WithConn(t.Context(), cc, connectivity.Ready)
	defer cancel()

	p.Freeze()
	start := time.Now()
	budget := grpcconn.ClientKeepalive.Time + grpcconn.ClientKeepalive.Timeout + time.Second
	waitDone(t, ctx, 3*budget) // generous: this is not a timing test, the benchmark measures
	assert.ErrorIs(t, context.Cause(ctx), connctx.ErrConnLost)
	t.Logf("frozen peer detected after %v (budget %v): %v", time.Since(start), budget, context.Cause(ctx))
}

// waitDone waits for ctx to end, failing the test after limit.
func waitDone(t *testing.T, ctx context.Context, limit time.Duration) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(limit):
		t.Fatalf("the context did not end within %v", limit)
	}
}
