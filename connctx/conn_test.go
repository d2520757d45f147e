package connctx_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// lostState returns the LostError in ctx's cause, failing the test if there is none.
func lostState(t *testing.T, ctx context.Context) *connctx.LostError {
	t.Helper()
	require.Error(t, ctx.Err(), "the context should have ended")
	cause := context.Cause(ctx)
	require.ErrorIs(t, cause, connctx.ErrConnLost)
	var lost *connctx.LostError
	require.ErrorAs(t, cause, &lost)
	return lost
}

func TestWithConnEndsWhenTheConnectionLeavesReady(t *testing.T) {
	tests := []struct {
		name string
		to   conntest.State
	}{
		{"to connecting", conntest.Connecting},
		{"to transient failure", conntest.TransientFailure},
		{"to idle", conntest.Idle},
		{"to shutdown", conntest.Shutdown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn := conntest.NewConn(conntest.Ready)
				ctx, cancel := connctx.WithConn(t.Context(), conn, conntest.Ready)
				defer cancel()
				synctest.Wait()
				require.NoError(t, ctx.Err(), "a ready connection keeps the context alive")

				conn.Set(tt.to)
				synctest.Wait()
				lost := lostState(t, ctx)
				assert.Equal(t, tt.to.String(), lost.State, "the cause names the state it left for")
				assert.Equal(t, "READY", lost.Ready)
			})
		})
	}
}

func TestWithConnEndsOnABlipThroughConnectingThatItDidNotSee(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conn := conntest.NewConn(conntest.Ready)
		ctx, cancel := connctx.WithConn(t.Context(), conn, conntest.Ready)
		defer cancel()
		synctest.Wait()

		conn.Blip(conntest.Connecting) // READY -> CONNECTING -> READY before anyone looks
		synctest.Wait()
		lost := lostState(t, ctx)
		assert.Equal(t, "READY", lost.State, "the state was READY again when it was read")
		assert.Contains(t, lost.Error(), "was back before it was seen")
	})
}

func TestWithConnEndsAtOnceWhenTheConnectionIsNotReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conn := conntest.NewConn(conntest.Connecting)
		ctx, cancel := connctx.WithConn(t.Context(), conn, conntest.Ready)
		defer cancel()
		lost := lostState(t, ctx)
		assert.Equal(t, "CONNECTING", lost.State)

		conn.Set(conntest.Ready)
		synctest.Wait()
		assert.Equal(t, "CONNECTING", lostState(t, ctx).State, "becoming ready later does not revive it")
	})
}

func TestWithConnEndsWithTheParentsCauseWhenTheParentEndsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errStop := errors.New("parent stopped")
		parent, stop := context.WithCancelCause(t.Context())
		conn := conntest.NewConn(conntest.Ready)
		ctx, cancel := connctx.WithConn(parent, conn, conntest.Ready)
		defer cancel()

		stop(errStop)
		synctest.Wait() // the watching goroutine has returned: synctest would report it otherwise
		assert.ErrorIs(t, context.Cause(ctx), errStop)

		conn.Set(conntest.TransientFailure)
		synctest.Wait()
		assert.ErrorIs(t, context.Cause(ctx), errStop, "a later loss does not replace the cause")
	})
}

func TestWithConnCancelEndsTheContextAndItsGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conn := conntest.NewConn(conntest.Ready)
		ctx, cancel := connctx.WithConn(t.Context(), conn, conntest.Ready)
		cancel() // returns after the goroutine ended
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
		cancel() // a second call does nothing
		conn.Set(conntest.Connecting)
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
	})
}

func TestWithConnNeverRunWithAnEndedParentLeaksNothing(t *testing.T) {
	parent, stop := context.WithCancel(t.Context())
	stop()
	ctx, cancel := connctx.WithConn(parent, conntest.NewConn(conntest.Ready), conntest.Ready)
	cancel()
	assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
}

func TestWithConnNilConnectionIsAnErrorNotAPanic(t *testing.T) {
	ctx, cancel := connctx.WithConn[conntest.State](t.Context(), nil, conntest.Ready)
	defer cancel()
	assert.ErrorIs(t, context.Cause(ctx), connctx.ErrInvalid)
}

func TestWaitReady(t *testing.T) {
	tests := []struct {
		name    string
		start   conntest.State
		steps   []conntest.State // set one per second
		wantErr bool
	}{
		{"already ready", conntest.Ready, nil, false},
		{"through connecting and a failure", conntest.Idle,
			[]conntest.State{conntest.Connecting, conntest.TransientFailure, conntest.Connecting, conntest.Ready}, false},
		{"never ready before the deadline", conntest.Connecting,
			[]conntest.State{conntest.TransientFailure, conntest.Connecting}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn := conntest.NewConn(tt.start)
				go func() {
					for _, s := range tt.steps {
						time.Sleep(time.Second)
						conn.Set(s)
					}
				}()
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				err := connctx.WaitReady(ctx, conn, conntest.Ready)
				if tt.wantErr {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					return
				}
				assert.NoError(t, err)
				assert.Equal(t, conntest.Ready, conn.GetState())
			})
		})
	}
}
