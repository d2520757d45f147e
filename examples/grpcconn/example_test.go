package grpcconn_test

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
)

// Example_supervise keeps a health watch running against a gRPC server, reconnecting from a
// clean slate whenever the connection is lost. It needs a server, so it only compiles.
func Example_supervise() {
	ctx := context.Background()
	err := connctx.Supervise(ctx,
		func(ctx context.Context) (*grpc.ClientConn, error) { return grpcconn.DialReady(ctx, "127.0.0.1:50051") },
		connctx.StateLifetime[*grpc.ClientConn](connectivity.Ready),
		func(ctx context.Context, cc *grpc.ClientConn, g *errgroup.Group) error {
			stream, err := healthpb.NewHealthClient(cc).Watch(ctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				return err
			}
			for {
				resp, err := stream.Recv()
				if err != nil {
					return err
				}
				slog.Info("health", "status", resp.GetStatus())
			}
		},
		connctx.WithDialPolicy(backoff.Policy{MaxElapsed: 10 * time.Minute}),
		connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) { slog.Warn("connection lost", "cause", l.Cause, "retry in", l.Delay) }}),
	)
	slog.Error("supervisor stopped", "err", err)
}
