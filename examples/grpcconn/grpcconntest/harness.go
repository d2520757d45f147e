package grpcconntest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/steadfast-go/steadfast/examples/grpcconn"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// StartServer serves the standard health service on addr ("127.0.0.1:0" for a free port) and
// returns the server and the address it listens on. The server is stopped when the test ends;
// a failure to listen fails the test.
func StartServer(t testing.TB, addr string) (*grpc.Server, string) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("grpcconntest: listen on %s: %v", addr, err)
	}
	srv := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(grpcconn.ServerPolicy))
	healthpb.RegisterHealthServer(srv, health.NewServer()) // reports "" as SERVING
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return srv, lis.Addr().String()
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

// StartProxy starts a Proxy to target on a free loopback port; it is closed when the test
// ends, and a failure to listen fails the test.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("grpcconntest: proxy listen: %v", err)
	}
	p := &Proxy{lis: lis, target: target, closed: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the address the proxy listens on.
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
