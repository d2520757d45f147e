package grpcconn

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/steadfast-go/steadfast/connctx"
)

// Keepalive settings the client and the server agree on: the client pings after 10 s without
// traffic (gRPC's minimum) and gives up 1 s later; the server accepts pings every 5 s.
var (
	ClientKeepalive = keepalive.ClientParameters{Time: 10 * time.Second, Timeout: time.Second, PermitWithoutStream: true}
	ServerPolicy    = keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}
)

// StartServer serves the standard health service on addr ("127.0.0.1:0" for a free port) and
// returns the server and the address it listens on. The server is stopped when the test ends.
func StartServer(t testing.TB, addr string) (*grpc.Server, string) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(ServerPolicy))
	healthpb.RegisterHealthServer(srv, health.NewServer()) // reports "" as SERVING
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return srv, lis.Addr().String()
}

// DialReady is the dial function to copy: a new channel, asked to connect, and returned only
// once it is READY (within ctx), or closed.
func DialReady(ctx context.Context, addr string) (*grpc.ClientConn, error) {
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithKeepaliveParams(ClientKeepalive))
	if err != nil {
		return nil, err
	}
	cc.Connect()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := connctx.WaitReady(ctx, cc, connectivity.Ready); err != nil {
		_ = cc.Close()
		return nil, err
	}
	return cc, nil
}

// Proxy forwards TCP between clients and a server until Freeze, after which it keeps every
// connection open but forwards nothing: a peer that stopped answering without closing.
type Proxy struct {
	lis    net.Listener
	target string
	frozen atomic.Bool
	closed chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &Proxy{lis: lis, target: target, closed: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *Proxy) Addr() string { return p.lis.Addr().String() }

// Freeze stops forwarding on every connection, present and future.
func (p *Proxy) Freeze() { p.frozen.Store(true) }

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(c, s)
		go p.pump(s, c)
	}
}

// pump copies from src to dst until either ends; once frozen it drops what it reads and waits
// for the proxy to close, holding both connections open.
func (p *Proxy) pump(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if p.frozen.Load() {
			<-p.closed
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // EOF or closed: end the other direction too
			_ = dst.Close()
			return
		}
	}
}

// close stops accepting, closes every connection and waits for the pumps.
func (p *Proxy) close() {
	close(p.closed)
	_ = p.lis.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
