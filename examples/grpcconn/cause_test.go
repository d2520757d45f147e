package grpcconn_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
	"github.com/steadfast-go/steadfast/examples/grpcconn/grpcconntest"
)

// TestSuperviseReportsTheLossAsTheCauseWhenTheServerIsKilled kills the server under a session
// whose health stream fails with Unavailable at about the time the channel leaves READY: the
// cause the session's worker sees and OnLost reports is the loss, whichever noticed first.
// Run it with -count=50: the race it guards against showed about 1 run in 8.
func TestSuperviseReportsTheLossAsTheCauseWhenTheServerIsKilled(t *testing.T) {
	srv, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	streaming := make(chan struct{})
	seen := make(chan error, 1) // the cause the session's worker saw
	lost := make(chan error, 1)
	session := func(ctx context.Context, cc *grpc.ClientConn, g *errgroup.Group) error {
		g.Go(func() error {
			<-ctx.Done()
			seen <- context.Cause(ctx)
			return nil
		})
		stream, err := healthpb.NewHealthClient(cc).Watch(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return err
		}
		if _, err := stream.Recv(); err != nil {
			return err
		}
		close(streaming)
		for {
			if _, err := stream.Recv(); err != nil {
				return backoff.Permanent(err) // one session is enough
			}
		}
	}
	err := make(chan error, 1)
	go func() {
		err <- connctx.Supervise(t.Context(),
			func(ctx context.Context) (*grpc.ClientConn, error) { return grpcconn.DialReady(ctx, addr) },
			connctx.StateLifetime[*grpc.ClientConn](connectivity.Ready), session,
			connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) { lost <- l.Cause }}))
	}()
	receive(t, streaming)
	srv.Stop()
	require.Error(t, receive(t, err), "the session's Permanent error stops Supervise")
	cause := receive(t, lost)
	assert.ErrorIs(t, cause, connctx.ErrConnLost, "OnLost reports the loss, got %v", cause)
	assert.ErrorIs(t, receive(t, seen), connctx.ErrConnLost, "the session's worker sees the loss")
}
