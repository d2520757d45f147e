package connctx_test

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// boom is what the tests' code panics with; a pointer, so that the value passed on is
// recognised as the same one.
type boom struct{ where string }

func TestWithConnPassesAPanicInTheStateAPIOnThroughCancel(t *testing.T) {
	tests := []struct {
		name string
		conn func(v *boom) *liar
	}{
		{"GetState, during WithConn", func(v *boom) *liar {
			return &liar{state: func() conntest.State { panic(v) }}
		}},
		{"GetState, on its goroutine", func(v *boom) *liar {
			l := &liar{wait: func(context.Context, conntest.State) bool { return true }}
			l.state = func() conntest.State {
				if l.calls.Load() > 1 {
					panic(v)
				}
				return conntest.Ready
			}
			return l
		}},
		{"WaitForStateChange", func(v *boom) *liar {
			return &liar{wait: func(context.Context, conntest.State) bool { panic(v) }}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				v := &boom{tt.name}
				var ctx context.Context
				var cancel context.CancelFunc
				require.NotPanics(t, func() { ctx, cancel = connctx.WithConn(t.Context(), tt.conn(v), conntest.Ready) })
				synctest.Wait()
				require.Error(t, ctx.Err(), "nothing watches the connection any more: the context ended")
				assert.Contains(t, context.Cause(ctx).Error(), "panicked")
				assert.Same(t, v, recovered(cancel), "cancel raises the same panic again")
				assert.Nil(t, recovered(cancel), "a second cancel does nothing")
			})
		})
	}
}

func TestWithProbePassesAPanickingProbeOnThroughCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := &boom{"probe"}
		probe := connctx.ProbeFunc(func(context.Context) error { panic(v) })
		ctx, cancel, err := connctx.WithProbe(t.Context(), probe, connctx.WithProbeInterval(time.Second))
		require.NoError(t, err)
		<-ctx.Done()
		assert.Contains(t, context.Cause(ctx).Error(), "probe panicked")
		assert.NotErrorIs(t, context.Cause(ctx), connctx.ErrConnLost, "a panic is not a loss")
		assert.Same(t, v, recovered(cancel))
		assert.Nil(t, recovered(cancel), "a second cancel does nothing")
	})
}

func TestWithProbeEndsWhenTheProbeCallsGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		probe := connctx.ProbeFunc(func(context.Context) error { runtime.Goexit(); return nil })
		ctx, cancel, err := connctx.WithProbe(t.Context(), probe, connctx.WithProbeInterval(time.Second))
		require.NoError(t, err)
		<-ctx.Done()
		assert.Contains(t, context.Cause(ctx).Error(), "Goexit")
		assert.Nil(t, recovered(cancel), "there is no panic to raise again")
	})
}
