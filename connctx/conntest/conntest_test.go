package conntest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConnWaitIsLossyLikeGRPC(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *conntest.Conn)
		woke   bool
		state  conntest.State
	}{
		{"a change wakes the waiter", func(c *conntest.Conn) { c.Set(conntest.Connecting) }, true, conntest.Connecting},
		{"a blip wakes it and leaves the state as it was", func(c *conntest.Conn) { c.Blip(conntest.Idle) }, true, conntest.Ready},
		{"setting the same state does not wake it", func(c *conntest.Conn) { c.Set(conntest.Ready) }, false, conntest.Ready},
		{"close moves to shutdown", func(c *conntest.Conn) { require.NoError(t, c.Close()) }, true, conntest.Shutdown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := conntest.NewConn(conntest.Ready)
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				woke := make(chan bool)
				go func() { woke <- c.WaitForStateChange(ctx, conntest.Ready) }()
				synctest.Wait()
				tt.change(c)
				assert.Equal(t, tt.woke, <-woke)
				assert.Equal(t, tt.state, c.GetState())
			})
		})
	}
}

func TestConnStaysShutDownAndCountsCloses(t *testing.T) {
	c := conntest.NewConn(conntest.Ready)
	require.NoError(t, c.Close())
	assert.ErrorIs(t, c.Close(), conntest.ErrClosed)
	c.Set(conntest.Ready)
	assert.Equal(t, conntest.Shutdown, c.GetState())
	assert.Equal(t, 2, c.Closes())
	assert.True(t, c.Closed())
	assert.True(t, c.WaitForStateChange(t.Context(), conntest.Ready), "already not READY")
}

func TestStateNamesAreGRPCs(t *testing.T) {
	assert.Equal(t, "TRANSIENT_FAILURE", conntest.TransientFailure.String())
	assert.Equal(t, "INVALID_STATE", conntest.State(42).String())
}

func TestProbeFailsPassesAndHangsOnCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errPing := errors.New("ping")
		p := conntest.NewProbe()
		assert.NoError(t, p.Probe(t.Context()))
		p.Fail(errPing)
		assert.ErrorIs(t, p.Probe(t.Context()), errPing)
		p.Hang()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		assert.ErrorIs(t, p.Probe(ctx), context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start), "a hung probe returns when its context ends")
		p.Pass()
		assert.NoError(t, p.Probe(t.Context()))
		assert.Equal(t, 4, p.Calls())
	})
}

func TestDialerFailsNTimesThenCountsDialsAndCloses(t *testing.T) {
	d := conntest.NewDialer(2, nil)
	for range 2 {
		_, err := d.Dial(t.Context())
		assert.ErrorIs(t, err, conntest.ErrDial)
	}
	a, err := d.Dial(t.Context())
	require.NoError(t, err)
	assert.Equal(t, conntest.Ready, a.GetState())
	b, err := d.Dial(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, d.MaxOpen(), "two open at once")
	require.NoError(t, a.Close())
	assert.ErrorIs(t, a.Close(), conntest.ErrClosed)
	assert.Equal(t, 1, d.Closes(), "a second close is not counted twice")
	assert.Equal(t, 1, d.Open())
	assert.Same(t, b, d.Last())
	assert.Equal(t, []*conntest.Conn{a, b}, d.Conns())

	d.FailNext(1, nil)
	_, err = d.Dial(t.Context())
	assert.ErrorIs(t, err, conntest.ErrDial)
	assert.Equal(t, 5, d.Dials())

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = d.Dial(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}
