package grpcconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/steadfast-go/steadfast/connctx"
)

// ClientKeepalive is the keepalive [Dial] sets unless [WithKeepalive] says otherwise: the
// client pings after 10 s without traffic (gRPC's minimum) and gives up 1 s later.
// ServerPolicy is what a server started by grpcconntest.StartServer accepts: pings every 5 s.
var (
	ClientKeepalive = keepalive.ClientParameters{Time: 10 * time.Second, Timeout: time.Second, PermitWithoutStream: true}
	ServerPolicy    = keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}
)

// DefaultReadyTimeout is how long [Dial] waits for READY unless [WithReadyTimeout] says otherwise.
const DefaultReadyTimeout = 2 * time.Second

// ErrTransientFailure is matched by the error of a [WithFailFast] dial that saw the channel in
// TRANSIENT_FAILURE before it was READY.
var ErrTransientFailure = errors.New("grpcconn: failed fast")

// An Option configures [Dial] and [DialReady]. A nil Option is ignored.
type Option func(*dialConfig)

type dialConfig struct {
	timeout   time.Duration
	keepalive keepalive.ClientParameters
	failFast  bool
	grpcOpts  []grpc.DialOption
}

// WithReadyTimeout bounds the wait for READY (d > 0; otherwise [DefaultReadyTimeout]).
func WithReadyTimeout(d time.Duration) Option {
	return func(c *dialConfig) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithKeepalive replaces [ClientKeepalive].
func WithKeepalive(p keepalive.ClientParameters) Option {
	return func(c *dialConfig) { c.keepalive = p }
}

// WithFailFast makes the dial return at the first TRANSIENT_FAILURE instead of waiting through
// it until the ready timeout: a refused connection then costs one connection attempt, not the
// whole timeout. The error matches [ErrTransientFailure] and wraps the last error of the TCP
// dial, if it had one (a refused connection matches syscall.ECONNREFUSED). A
// grpc.WithContextDialer among [WithGRPCOptions] replaces the dialer that records that error.
func WithFailFast() Option {
	return func(c *dialConfig) { c.failFast = true }
}

// WithGRPCOptions adds opts after Dial's own (plaintext credentials and the keepalive), so they
// can replace them.
func WithGRPCOptions(opts ...grpc.DialOption) Option {
	return func(c *dialConfig) { c.grpcOpts = append(c.grpcOpts, opts...) }
}

// Dial returns the dial function to copy, for connctx.Supervise: a new plaintext channel to addr
// (host:port) with the keepalive, asked to connect and returned only once it is READY, within
// the ready timeout and ctx, or closed. Reconnecting is left to the supervisor. The function is
// safe for concurrent use; each call makes its own channel.
func Dial(addr string, opts ...Option) connctx.DialFunc[*grpc.ClientConn] {
	c := dialConfig{timeout: DefaultReadyTimeout, keepalive: ClientKeepalive}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return func(ctx context.Context) (*grpc.ClientConn, error) { return c.dial(ctx, addr) }
}

// DialReady is Dial(addr, opts...)(ctx).
func DialReady(ctx context.Context, addr string, opts ...Option) (*grpc.ClientConn, error) {
	return Dial(addr, opts...)(ctx)
}

func (c dialConfig) dial(ctx context.Context, addr string) (*grpc.ClientConn, error) {
	var tcp lastDialError
	base := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithKeepaliveParams(c.keepalive), grpc.WithContextDialer(tcp.dial)}
	cc, err := grpc.NewClient("passthrough:///"+addr, append(base, c.grpcOpts...)...)
	if err != nil {
		return nil, err
	}
	cc.Connect() // a new channel stays IDLE until asked
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, fmt.Errorf("grpcconn: %s not READY within %v: %w", addr, c.timeout, context.DeadlineExceeded))
	defer cancel()
	var conn connctx.Conn[connectivity.State] = cc
	if c.failFast {
		ctx, conn = failFast(ctx, cc, addr, &tcp)
	}
	if err := connctx.WaitReady(ctx, conn, connectivity.Ready); err != nil {
		_ = cc.Close()
		return nil, err
	}
	return cc, nil
}

// failFast returns a context and a view of cc for connctx.WaitReady: the view's GetState ends
// the context, with the dial's error as its cause, when it reads TRANSIENT_FAILURE, so
// WaitReady, which checks the context after each read, returns there with that cause.
func failFast(ctx context.Context, cc *grpc.ClientConn, addr string, tcp *lastDialError) (context.Context, connctx.Conn[connectivity.State]) {
	ctx, cancel := context.WithCancelCause(ctx) // released when the dial's timeout context is
	return ctx, failFastConn{cc, func() {
		err := fmt.Errorf("%w: %s", ErrTransientFailure, addr)
		if last := tcp.get(); last != nil {
			err = fmt.Errorf("%w: %w", ErrTransientFailure, last) // last names addr
		}
		cancel(err)
	}}
}

type failFastConn struct {
	*grpc.ClientConn
	failed func()
}

func (f failFastConn) GetState() connectivity.State {
	s := f.ClientConn.GetState()
	if s == connectivity.TransientFailure {
		f.failed()
	}
	return s
}

// lastDialError is a TCP dialer that remembers its last error. gRPC calls it from its own
// goroutines, hence the mutex.
type lastDialError struct {
	mu  sync.Mutex
	err error
}

func (l *lastDialError) dial(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
	return conn, err
}

func (l *lastDialError) get() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
