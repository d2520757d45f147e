package grpcconn_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn/grpcconntest"
)

// TestWithConnReportsAnIdleChannelAsALoss checks what the package doc says of gRPC's idle
// timeout, with a short one: a READY channel with no RPC in flight goes IDLE, which ends the
// context as a loss.
func TestWithConnReportsAnIdleChannelAsALoss(t *testing.T) {
	_, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithIdleTimeout(100*time.Millisecond))
	require.NoError(t, err)
	defer cc.Close()
	cc.Connect()
	ready, cancelReady := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancelReady()
	require.NoError(t, connctx.WaitReady(ready, cc, connectivity.Ready))
	ctx, cancel := connctx.WithConn(t.Context(), cc, connectivity.Ready)
	defer cancel()

	waitDone(t, ctx, 5*time.Second)
	var lost *connctx.LostError
	require.ErrorAs(t, context.Cause(ctx), &lost)
	assert.Equal(t, "IDLE", lost.State)
}
