package connctx_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestWithConnNeverPanicsOnATypedNilConnection(t *testing.T) {
	var conn *conntest.Conn // a nil *grpc.ClientConn is the same case
	var ctx context.Context
	var cancel context.CancelFunc
	require.NotPanics(t, func() { ctx, cancel = connctx.WithConn[conntest.State](t.Context(), conn, conntest.Ready) })
	defer cancel()
	require.Error(t, ctx.Err(), "the context ends at once")
	assert.ErrorIs(t, context.Cause(ctx), connctx.ErrInvalid)
	assert.NotPanics(t, func() { cancel() })
}

func TestWithConnNeverPanicsOnANilParent(t *testing.T) {
	var ctx context.Context
	var cancel context.CancelFunc
	//lint:ignore SA1012 a nil parent is the bad input under test
	require.NotPanics(t, func() { ctx, cancel = connctx.WithConn(nil, conntest.NewConn(conntest.Ready), conntest.Ready) })
	defer cancel()
	require.Error(t, ctx.Err())
	assert.ErrorIs(t, context.Cause(ctx), connctx.ErrInvalid)
}

func TestWithConnEndsWhenWaitForStateChangeBreaksItsContract(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		broken := &liar{wait: func(context.Context, conntest.State) bool { return false }} // ctx is alive
		ctx, cancel := connctx.WithConn(t.Context(), broken, conntest.Ready)
		defer cancel()
		synctest.Wait()
		lost := lostState(t, ctx) // the goroutine is gone: an unwatched context must not stay alive
		assert.Contains(t, lost.Error(), "WaitForStateChange returned false")
		assert.Equal(t, "READY", lost.State)
	})
}

func TestWaitReadyNeverPanicsOnBadInput(t *testing.T) {
	var typedNil *conntest.Conn
	tests := []struct {
		name string
		ctx  context.Context
		conn connctx.Conn[conntest.State]
	}{
		{"nil connection", t.Context(), nil},
		{"typed nil connection", t.Context(), typedNil},
		{"nil context", nil, conntest.NewConn(conntest.Ready)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = connctx.WaitReady(tt.ctx, tt.conn, conntest.Ready) })
			assert.ErrorIs(t, err, connctx.ErrInvalid)
		})
	}
}

func TestWaitReadyReturnsWhenWaitForStateChangeBreaksItsContract(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() context.Context
		wait    func(context.Context, conntest.State) bool
		wantErr error // nil: any error that names the broken wait
	}{
		{"false while ctx is alive", t.Context,
			func(context.Context, conntest.State) bool { return false }, nil},
		{"true forever, ignoring ctx", func() context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, func(context.Context, conntest.State) bool { return true }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &liar{state: func() conntest.State { return conntest.Connecting }, wait: tt.wait}
			err := connctx.WaitReady(tt.ctx(), conn, conntest.Ready)
			require.Error(t, err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			assert.Contains(t, err.Error(), "WaitForStateChange returned false")
			assert.NotContains(t, err.Error(), "%!", "no nil wrapped as a cause")
		})
	}
}
