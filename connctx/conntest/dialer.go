package conntest

import (
	"context"
	"errors"
	"sync"
)

// ErrDial is the error a [Dialer] fails with when it was given none.
var ErrDial = errors.New("conntest: dial failed")

// Dialer is a fake dial function: it fails a scripted number of times, then returns a new
// [Conn] in [Ready] for each call. It counts dials and closes, and remembers the most
// connections that were open at once, so a test can check that the previous connection was
// closed before the next dial. It is safe for concurrent use.
type Dialer struct {
	mu       sync.Mutex
	failures int // failures left before the next success
	err      error
	dials    int
	closes   int
	open     int
	maxOpen  int
	conns    []*Conn
}

// NewDialer returns a dialer whose first failures calls return err ([ErrDial] if err is nil)
// and whose later calls succeed.
func NewDialer(failures int, err error) *Dialer {
	if err == nil {
		err = ErrDial
	}
	return &Dialer{failures: failures, err: err}
}

// Dial counts the call and returns the scripted error, or a new ready [Conn]. It returns ctx's
// cause instead, without counting a failure, if ctx has ended. Its signature fits
// connctx.DialFunc[*Conn].
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dials++
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if d.failures > 0 {
		d.failures--
		return nil, d.err
	}
	c := NewConn(Ready)
	c.onClose = d.closed
	d.conns = append(d.conns, c)
	d.open++
	d.maxOpen = max(d.maxOpen, d.open)
	return c, nil
}

// closed is called by a connection's first Close.
func (d *Dialer) closed() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closes++
	d.open--
}

// FailNext makes the next n calls fail with err ([ErrDial] if err is nil).
func (d *Dialer) FailNext(n int, err error) {
	if err == nil {
		err = ErrDial
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failures, d.err = n, err
}

// Dials returns how many times Dial was called, failed calls included.
func (d *Dialer) Dials() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials
}

// Closes returns how many of the connections it returned were closed.
func (d *Dialer) Closes() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closes
}

// Open returns how many of the connections it returned are not closed yet.
func (d *Dialer) Open() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.open
}

// MaxOpen returns the most connections that were open at once: 1 for a caller that always
// closes a connection before it dials the next.
func (d *Dialer) MaxOpen() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.maxOpen
}

// Conns returns every connection it returned, oldest first.
func (d *Dialer) Conns() []*Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Conn(nil), d.conns...)
}

// Last returns the connection it returned last, or nil before the first.
func (d *Dialer) Last() *Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.conns) == 0 {
		return nil
	}
	return d.conns[len(d.conns)-1]
}
