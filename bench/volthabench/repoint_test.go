package volthabench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
	"github.com/steadfast-go/steadfast/watch"
)

// layout is the router's configuration for world: two read-write backends, two read-only.
var layout = voltha.Layout{Names: voltha.DefaultNames, RWCores: 4, ROCores: 2}

// world is a cluster of four rw-cores and two ro-cores, their cores, and a router.
func world(b *testing.B) (*volthatest.Cluster, *volthatest.Cores, *volthatest.Router) {
	cluster, cores := volthatest.NewCluster("voltha"), &volthatest.Cores{}
	b.Cleanup(cores.Close)
	for i, name := range []string{"rw-core1-0", "rw-core1-1", "rw-core2-0", "rw-core2-1", "ro-core-0", "ro-core-1"} {
		ip := fmt.Sprintf("10.0.0.%d", i+1)
		if err := cluster.Start(b.Context(), name, "node-"+strconv.Itoa(i%2), ip); err != nil {
			b.Fatal(err)
		}
		cores.Set(name, ip+":50057", "olt-"+strconv.Itoa(i/2))
	}
	router, err := volthatest.StartRouter("127.0.0.1:0", volthatest.WithLayout(layout))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(router.Stop)
	return cluster, cores, router
}

// repoint restarts rw-core1-0 with a new IP b.N times and measures how long the router takes
// to point its slot at the new address. Before each restart it calls phase, if not nil, with
// the timer stopped.
func repoint(b *testing.B, cluster *volthatest.Cluster, cores *volthatest.Cores, router *volthatest.Router, phase func()) {
	if !holds(b, router, "10.0.0.1:50057", 10*time.Second) {
		b.Fatal("the router was not configured")
	}
	var lat []time.Duration
	calls := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if phase != nil {
			b.StopTimer()
			phase()
			b.StartTimer()
		}
		ip := fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
		before := router.Calls()
		start := time.Now()
		if err := cluster.Restart(b.Context(), "rw-core1-0", ip); err != nil {
			b.Fatal(err)
		}
		cores.Move("rw-core1-0", ip+":50057")
		if !holds(b, router, ip+":50057", 2*originPeriod) {
			b.Fatalf("the router was not re-pointed to %s", ip)
		}
		lat = append(lat, time.Since(start))
		calls += router.Calls() - before
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(calls)/float64(len(lat)), "calls/op")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// holds waits until the router's slot vcore11 points at addr, woken by each Set call.
func holds(b *testing.B, router *volthatest.Router, addr string, limit time.Duration) bool {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		changed := router.Changed() // before reading the table, so no change is missed
		for _, c := range router.Table().Connections {
			if c.Name == "vcore11" && c.Addr == addr {
				return true
			}
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// BenchmarkRepoint measures re-pointing a restarted core: steadfast's daemon (its defaults,
// but for the world's layout and a discarded log) against the origin's loop at its own 10 s
// period, the core restarting at a random phase of it (see the package doc for why in real
// time). calls/op is the router's Set calls per re-point.
func BenchmarkRepoint(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		cluster, cores, router := world(b)
		pods := cluster.Pods()
		d, err := voltha.New(pods, voltha.DialRouter(router.Addr(), time.Second), voltha.NewCoreAPI(cores.DialOption()),
			voltha.WithLayout(layout),
			voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
			voltha.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			b.Fatal(err)
		}
		stop := run(b, d.Run)
		defer stop()
		repoint(b, cluster, cores, router, nil)
	})
	b.Run("origin-10s", func(b *testing.B) {
		cluster, cores, router := world(b)
		o := &origin{cluster: cluster, cores: cores, rw: layout.RWCores, ro: layout.ROCores,
			sleeps: make(chan time.Time, 1)}
		stop := run(b, func(ctx context.Context) error { return o.run(ctx, router.Addr()) })
		defer stop()
		repoint(b, cluster, cores, router, func() { randomPhase(b, o.sleeps) })
	})
}

// randomPhase waits until a moment drawn uniformly from the origin's sleep that follows the
// previous re-point (its first sleep, before the first restart), so that the restart falls
// at a random phase of its period, as a crash does.
func randomPhase(b *testing.B, sleeps <-chan time.Time) {
	var began time.Time
	select {
	case began = <-sleeps:
	case <-time.After(2 * originPeriod):
		b.Fatal("the origin's loop did not sleep")
	}
	time.Sleep(time.Until(began.Add(rand.N(originPeriod))))
}

// run runs fn on a goroutine; the returned function stops it and waits.
func run(b *testing.B, fn func(context.Context) error) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && ctx.Err() == nil {
			b.Error(err)
		}
	}
}
