package bmdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// connector is the driver.Connector of a PostgreSQL DB. It makes at most two connections at
// a time, each bounded by its own timeout rather than by the deadline of the call that asked
// for it, and keeps one that was made after its caller gave up for the next caller. So when a
// server restarts, or answers slowly under load, and every pooled connection broke at once,
// the processes do not bury it under handshakes that they abandon half-way and start again
// (each abandoned handshake still costs the server a backend's start).
type connector struct {
	inner   driver.Connector
	timeout time.Duration
	slots   chan struct{}    // two: the handshakes running
	spare   chan driver.Conn // one: made after its caller left, for the next caller
	base    context.Context  // cancelled by Close: handshakes in flight end
	close   context.CancelFunc
	wg      sync.WaitGroup
}

var _ driver.Connector = (*connector)(nil)

func newConnector(inner driver.Connector, timeout time.Duration) *connector {
	base, cancel := context.WithCancel(context.Background())
	return &connector{inner: inner, timeout: timeout, slots: make(chan struct{}, 2),
		spare: make(chan driver.Conn, 1), base: base, close: cancel}
}

// Driver returns the inner connector's driver.
func (c *connector) Driver() driver.Driver { return c.inner.Driver() }

// dialing is one handshake and its caller: waiting until one of them gives the other up.
type dialing struct {
	state atomic.Int32 // 0 waiting, 1 answered, 2 abandoned by the caller
	done  chan struct{}
	conn  driver.Conn
	err   error
}

// Connect returns a spare connection, or makes one, waiting for a free slot. It returns when
// the connection is made or ctx ends, whichever is first.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if c.base.Err() != nil {
		return nil, errConnectorClosed
	}
	select {
	case conn := <-c.spare:
		return conn, nil
	default:
	}
	select {
	case c.slots <- struct{}{}:
	case conn := <-c.spare:
		return conn, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.base.Done():
		return nil, errConnectorClosed
	}
	d := &dialing{done: make(chan struct{})}
	c.wg.Go(func() { c.dial(d) })
	select {
	case <-d.done:
		return d.conn, d.err
	case <-ctx.Done():
		if d.state.CompareAndSwap(0, 2) {
			return nil, ctx.Err()
		}
		<-d.done // answered just now
		return d.conn, d.err
	}
}

// dial makes one connection under the connector's timeout and hands it to its caller, or, if
// the caller left, to the spare slot.
func (c *connector) dial(d *dialing) {
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(c.base, c.timeout)
	defer cancel()
	conn, err := c.inner.Connect(ctx)
	if d.state.CompareAndSwap(0, 1) {
		d.conn, d.err = conn, err
		close(d.done)
		return
	}
	if err != nil {
		return
	}
	select {
	case c.spare <- conn:
	default:
		_ = conn.Close()
	}
}

// Close ends the handshakes in flight, waits for them, and closes the spare connection.
// database/sql calls it from DB.Close.
func (c *connector) Close() error {
	c.close()
	c.wg.Wait()
	select {
	case conn := <-c.spare:
		return conn.Close()
	default:
		return nil
	}
}

// errConnectorClosed is returned by Connect after Close.
var errConnectorClosed = errors.New("bmdb: database closed")
