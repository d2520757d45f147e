package bmdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowConnector is a driver.Connector whose handshakes wait for release, counting how many run
// at once.
type slowConnector struct {
	release          chan struct{}
	running, highest atomic.Int32
	made             chan struct{} // a value per connection made
	closed           atomic.Int32  // connections closed
}

type fakeConn struct {
	driver.Conn
	closed *atomic.Int32
}

func (c fakeConn) Close() error { c.closed.Add(1); return nil }

func (s *slowConnector) Connect(ctx context.Context) (driver.Conn, error) {
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for h := s.highest.Load(); n > h && !s.highest.CompareAndSwap(h, n); h = s.highest.Load() {
	}
	select {
	case <-s.release:
		s.made <- struct{}{}
		return fakeConn{closed: &s.closed}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *slowConnector) Driver() driver.Driver { return nil }

func TestTheConnectorMakesTwoConnectionsAtATimeAndKeepsOneItsCallerGaveUpOn(t *testing.T) {
	inner := &slowConnector{release: make(chan struct{}), made: make(chan struct{}, 5)}
	c := newConnector(inner, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 { // callers with short deadlines, as after a restart of the server
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := c.Connect(ctx)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.ErrorIs(t, err, context.DeadlineExceeded, "every caller gave up")
	}
	assert.Equal(t, int32(2), inner.highest.Load(), "two handshakes at a time, the others waited for a slot")

	close(inner.release) // the two handshakes finish after their callers left
	<-inner.made
	<-inner.made
	c.wg.Wait() // and have handed their connections on
	conn, err := c.Connect(context.Background())
	require.NoError(t, err)
	assert.NotNil(t, conn, "the next caller gets a connection made for one who left")
	require.NoError(t, c.Close())
	assert.Equal(t, int32(1), inner.closed.Load(), "of two late connections one was kept and one closed; Close closes none left")
	_, err = c.Connect(context.Background())
	assert.True(t, errors.Is(err, errConnectorClosed), "a closed connector connects no more: %v", err)
}
