package connctxbench

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
)

// detector derives a context that ends when cc is lost.
type detector func(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc)

// BenchmarkConnLoss measures, per iteration, the time from the server closing the connection
// (grpc.Server.Stop) to the context ending, and reports its p50 and p99. An iteration also
// starts a server and dials it, which ns/op includes. The anchor is the loop people write by
// hand: poll GetState every 10 ms.
func BenchmarkConnLoss(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		benchLoss(b, func(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc) {
			return connctx.WithConn(parent, cc, connectivity.Ready)
		})
	})
	b.Run("poll-10ms", func(b *testing.B) { benchLoss(b, poll(10*time.Millisecond)) })
}

func benchLoss(b *testing.B, detect detector) {
	var samples []time.Duration
	for b.Loop() {
		srv, addr := grpcconn.StartServer(b, "127.0.0.1:0")
		cc := dialReady(b, addr)
		ctx, cancel := detect(context.Background(), cc)
		start := time.Now()
		srv.Stop()
		waitDone(b, ctx, 5*time.Second)
		samples = append(samples, time.Since(start))
		cancel()
		_ = cc.Close()
	}
	reportPercentiles(b, samples)
}

// poll is the anchor: a goroutine that reads the state every interval.
func poll(interval time.Duration) detector {
	return func(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if cc.GetState() != connectivity.Ready {
						cancel()
						return
					}
				}
			}
		}()
		return ctx, cancel
	}
}

// BenchmarkFrozenPeer measures how long WithConn takes to end after a TCP proxy between client
// and server stops forwarding (the peer froze without closing), detected through keepalive
// (time 10 s, gRPC's minimum, timeout 1 s). It reports detect-s against budget-s, keepalive time
// + timeout + 1 s. One iteration takes about 11 s.
func BenchmarkFrozenPeer(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		var worst time.Duration
		for b.Loop() {
			worst = max(worst, frozenOnce(b))
		}
		b.ReportMetric(worst.Seconds(), "detect-s")
		b.ReportMetric((grpcconn.ClientKeepalive.Time + grpcconn.ClientKeepalive.Timeout + time.Second).Seconds(), "budget-s")
	})
}

func frozenOnce(b *testing.B) time.Duration {
	srv, addr := grpcconn.StartServer(b, "127.0.0.1:0")
	defer srv.Stop()
	p := grpcconn.StartProxy(b, addr)
	cc := dialReady(b, p.Addr())
	defer cc.Close()
	ctx, cancel := connctx.WithConn(context.Background(), cc, connectivity.Ready)
	defer cancel()
	p.Freeze()
	start := time.Now()
	waitDone(b, ctx, time.Minute)
	return time.Since(start)
}
