package connctx_test

import (
	"context"
	"sync/atomic"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// liar is a connection whose state API the test scripts, to break the contract of
// connctx.Conn: a nil func means a conn that is always READY and waits as it should.
type liar struct {
	state func() conntest.State
	wait  func(ctx context.Context, s conntest.State) bool
	calls atomic.Int32 // GetState calls
}

var _ connctx.Conn[conntest.State] = (*liar)(nil)

func (l *liar) GetState() conntest.State {
	l.calls.Add(1)
	if l.state == nil {
		return conntest.Ready
	}
	return l.state()
}

func (l *liar) WaitForStateChange(ctx context.Context, s conntest.State) bool {
	if l.wait == nil {
		<-ctx.Done()
		return false
	}
	return l.wait(ctx, s)
}

// oddCloser is a conntest connection whose Close blocks until release is closed (if it is not
// nil), then returns err.
type oddCloser struct {
	*conntest.Conn
	release chan struct{}
	err     error
}

func (c *oddCloser) Close() error {
	if c.release != nil {
		<-c.release
	}
	_ = c.Conn.Close()
	return c.err
}

// recovered runs fn and returns what it panicked with, or nil.
func recovered(fn func()) (r any) {
	defer func() { r = recover() }()
	fn()
	return nil
}
