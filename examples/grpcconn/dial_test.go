package grpcconn_test

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/steadfast-go/steadfast/examples/grpcconn"
	"github.com/steadfast-go/steadfast/examples/grpcconn/grpcconntest"
)

// closedPort is a loopback address nothing listens on: a port that was free a moment ago.
func closedPort(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())
	return addr
}

func TestAFailFastDialToAClosedPortReturnsTheRefusalWellUnderTheTimeout(t *testing.T) {
	addr := closedPort(t)
	start := time.Now()
	cc, err := grpcconn.DialReady(t.Context(), addr, grpcconn.WithFailFast(), grpcconn.WithReadyTimeout(20*time.Second))
	took := time.Since(start)
	assert.Nil(t, cc)
	require.ErrorIs(t, err, grpcconn.ErrTransientFailure)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the TCP dial's error is kept")
	assert.Less(t, took, 5*time.Second, "one refused attempt, not the 20 s timeout")
	t.Logf("fail-fast dial took %v: %v", took, err)
}

func TestADialToAClosedPortWaitsThroughTransientFailureUntilTheTimeout(t *testing.T) {
	addr := closedPort(t)
	start := time.Now()
	cc, err := grpcconn.DialReady(t.Context(), addr, grpcconn.WithReadyTimeout(300*time.Millisecond))
	assert.Nil(t, cc)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, grpcconn.ErrTransientFailure)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "it waited out the timeout")
}

func TestAFailFastDialToALiveServerIsReady(t *testing.T) {
	_, addr := grpcconntest.StartServer(t, "127.0.0.1:0")
	cc, err := grpcconn.DialReady(t.Context(), addr, grpcconn.WithFailFast())
	require.NoError(t, err)
	defer cc.Close()
	assert.Equal(t, connectivity.Ready, cc.GetState())
}

func TestAFailFastDialWithItsOwnContextDialerStillFailsFastWithoutTheTCPError(t *testing.T) {
	mine := errors.New("no route in this test")
	dialer := grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return nil, mine })
	_, err := grpcconn.DialReady(t.Context(), closedPort(t), nil, grpcconn.WithFailFast(),
		grpcconn.WithReadyTimeout(20*time.Second), grpcconn.WithGRPCOptions(dialer))
	require.ErrorIs(t, err, grpcconn.ErrTransientFailure, "a nil Option is ignored, and the dial still fails fast")
	assert.NotErrorIs(t, err, syscall.ECONNREFUSED, "the TCP dial was not the recording one")
}
