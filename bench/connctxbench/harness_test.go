package connctxbench

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/steadfast-go/steadfast/examples/grpcconn"
)

// waitDone waits for ctx to end, failing the benchmark after limit.
func waitDone(b *testing.B, ctx context.Context, limit time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(limit):
		b.Fatalf("the context did not end within %v", limit)
	}
}

// reportPercentiles reports p50 and p99 of samples in milliseconds.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// dialReady returns a READY channel to addr, or fails the benchmark.
func dialReady(b *testing.B, addr string) *grpc.ClientConn {
	cc, err := grpcconn.DialReady(context.Background(), addr)
	if err != nil {
		b.Fatal(err)
	}
	return cc
}
