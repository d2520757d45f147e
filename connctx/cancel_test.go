package connctx_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestCancelReturnsAfterTheWatchingGoroutineEnded(t *testing.T) {
	// slowly is what each watcher's call into the caller's code does once its context ends:
	// take a second to return, then say so.
	slowly := func(ctx context.Context, returned *atomic.Bool) {
		<-ctx.Done()
		time.Sleep(time.Second)
		returned.Store(true)
	}
	tests := []struct {
		name  string
		start func(t *testing.T, returned *atomic.Bool) context.CancelFunc
	}{
		{"WithConn", func(t *testing.T, returned *atomic.Bool) context.CancelFunc {
			conn := &liar{wait: func(ctx context.Context, _ conntest.State) bool { slowly(ctx, returned); return false }}
			_, cancel := connctx.WithConn(t.Context(), conn, conntest.Ready)
			return cancel
		}},
		{"WithProbe", func(t *testing.T, returned *atomic.Bool) context.CancelFunc {
			probe := connctx.ProbeFunc(func(ctx context.Context) error { slowly(ctx, returned); return ctx.Err() })
			_, cancel, err := connctx.WithProbe(t.Context(), probe, connctx.WithProbeInterval(time.Second),
				connctx.WithProbeTimeout(time.Hour))
			require.NoError(t, err)
			return cancel
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var returned atomic.Bool
				cancel := tt.start(t, &returned)
				time.Sleep(2 * time.Second) // the watcher is in the caller's code
				cancel()
				assert.True(t, returned.Load(), "cancel returned before its goroutine did")
			})
		})
	}
}
