package grpcconn_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
)

func TestWithConnNeverPanicsOnANilClientConn(t *testing.T) {
	var cc *grpc.ClientConn
	var ctx context.Context
	var cancel context.CancelFunc
	require.NotPanics(t, func() { ctx, cancel = connctx.WithConn(t.Context(), cc, connectivity.Ready) })
	defer cancel()
	assert.ErrorIs(t, context.Cause(ctx), connctx.ErrInvalid)
	assert.ErrorIs(t, connctx.WaitReady(t.Context(), cc, connectivity.Ready), connctx.ErrInvalid)
}

func TestSuperviseRetriesADialThatReturnsANilClientConn(t *testing.T) {
	dials := 0
	dial := func(context.Context) (*grpc.ClientConn, error) { dials++; return nil, nil }
	session := func(context.Context, *grpc.ClientConn, *errgroup.Group) error {
		t.Error("no session without a connection")
		return nil
	}
	var err error
	require.NotPanics(t, func() {
		err = connctx.Supervise(t.Context(), dial, connctx.StateLifetime[*grpc.ClientConn](connectivity.Ready), session,
			connctx.WithDialPolicy(backoff.Policy{Initial: 1, MaxAttempts: 3}))
	})
	assert.ErrorIs(t, err, backoff.ErrExhausted)
	assert.ErrorIs(t, err, connctx.ErrInvalid)
	assert.Equal(t, 3, dials, "each empty dial was retried under the dial policy")
}
