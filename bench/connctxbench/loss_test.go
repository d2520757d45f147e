package connctxbench

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
	"github.com/steadfast-go/steadfast/examples/grpcconn/grpcconntest"
)

// detector derives a context that ends when cc is lost.
type detector func(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc)

// originBound is how long an iteration waits for the origin's context to end before it counts
// the iteration as one that did not end.
const originBound = 2 * time.Second

// BenchmarkConnLoss measures, per iteration, the time from the server closing the connection
// (grpc.Server.Stop) to the context ending, and reports its p50 and p99. An iteration also
// starts a server and dials it, which ns/op includes. The anchor is the origin's
// connectionActiveContext (voltha's arouterd): a loop on WaitForStateChange until the state is
// TRANSIENT_FAILURE or SHUTDOWN. A clean close takes the channel to IDLE, which that loop keeps
// waiting on, so each of its iterations waits at most originBound and counts in unended/op
// the iterations whose context had not ended by then (its p50 and p99 are over the others, and
// absent when none ended), and in idle-at-bound/op those whose channel was IDLE then. Beside
// it, a hand-written loop that polls the state every 10 ms.
func BenchmarkConnLoss(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		benchLoss(b, func(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc) {
			return connctx.WithConn(parent, cc, connectivity.Ready)
		}, 5*time.Second)
	})
	b.Run("origin-waitforstatechange", func(b *testing.B) { benchLoss(b, origin, originBound) })
	b.Run("poll-10ms", func(b *testing.B) { benchLoss(b, poll(10*time.Millisecond), 5*time.Second) })
}

// benchLoss runs the iterations. A context still alive after bound counts as unended, except
// that the steadfast and poll detectors must end (bound is then a failure).
func benchLoss(b *testing.B, detect detector, bound time.Duration) {
	var samples []time.Duration
	unended, iters := 0, 0
	idle := 0 // unended iterations whose channel was IDLE at the bound
	for b.Loop() {
		iters++
		srv, addr := grpcconntest.StartServer(b, "127.0.0.1:0")
		cc := dialReady(b, addr)
		ctx, cancel := detect(context.Background(), cc)
		start := time.Now()
		srv.Stop()
		if ended(ctx, bound) {
			samples = append(samples, time.Since(start))
		} else {
			unended++
			if cc.GetState() == connectivity.Idle {
				idle++
			}
		}
		cancel()
		_ = cc.Close()
	}
	reportPercentiles(b, samples)
	if bound == originBound {
		b.ReportMetric(float64(unended)/float64(iters), "unended/op")
		b.ReportMetric(float64(idle)/float64(iters), "idle-at-bound/op")
	} else if unended > 0 {
		b.Fatalf("%d contexts did not end within %v", unended, bound)
	}
}

// ended reports whether ctx ends within limit.
func ended(ctx context.Context, limit time.Duration) bool {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return true
	case <-t.C:
		return false
	}
}

// origin is the anchor: the origin's loop, written from its public description. It waits on
// WaitForStateChange until the state is TRANSIENT_FAILURE or SHUTDOWN, or the wait returns
// false. The origin waited under context.Background() and so never stopped waiting; here the
// wait's context is the returned one, so that cancel ends the goroutine between iterations.
func origin(parent context.Context, cc *grpc.ClientConn) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		defer cancel()
		state := cc.GetState()
		for state != connectivity.TransientFailure && state != connectivity.Shutdown {
			if !cc.WaitForStateChange(ctx, state) {
				return
			}
			state = cc.GetState()
		}
	}()
	return ctx, cancel
}

// poll is a hand-written alternative: a goroutine that reads the state every interval.
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
	srv, addr := grpcconntest.StartServer(b, "127.0.0.1:0")
	defer srv.Stop()
	p := grpcconntest.StartProxy(b, addr)
	cc := dialReady(b, p.Addr())
	defer cc.Close()
	ctx, cancel := connctx.WithConn(context.Background(), cc, connectivity.Ready)
	defer cancel()
	p.Freeze()
	start := time.Now()
	waitDone(b, ctx, time.Minute)
	return time.Since(start)
}
