package volthabench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/examples/voltha/sim"
	"github.com/steadfast-go/steadfast/watch"
)

// pollEvery is the anchor's polling interval (the origin's was 10 s).
const pollEvery = 50 * time.Millisecond

// layout is the router's configuration for world: two read-write backends, two read-only.
var layout = voltha.Layout{Names: voltha.DefaultNames, RWCores: 4, ROCores: 2}

// world is a cluster of four rw-cores and two ro-cores, their cores, and a router.
func world(b *testing.B) (*sim.Cluster, *sim.Cores, *sim.Router) {
	cluster, cores := sim.NewCluster("voltha"), &sim.Cores{}
	b.Cleanup(cores.Close)
	for i, name := range []string{"rw-core1-0", "rw-core1-1", "rw-core2-0", "rw-core2-1", "ro-core-0", "ro-core-1"} {
		ip := fmt.Sprintf("10.0.0.%d", i+1)
		if err := cluster.Start(b.Context(), name, "node-"+strconv.Itoa(i%2), ip); err != nil {
			b.Fatal(err)
		}
		cores.Set(name, ip+":50057", "olt-"+strconv.Itoa(i/2))
	}
	router, err := sim.StartRouter("127.0.0.1:0", sim.WithLayout(layout))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(router.Stop)
	return cluster, cores, router
}

// repoint restarts rw-core1-0 with a new IP b.N times and measures how long the router takes
// to point its slot at the new address, polling the router's table every 200 µs.
func repoint(b *testing.B, cluster *sim.Cluster, cores *sim.Cores, router *sim.Router) {
	if !holds(b, router, "10.0.0.1:50057", 10*time.Second) {
		b.Fatal("the router was not configured")
	}
	calls := router.Calls()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ip := fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
		start := time.Now()
		if err := cluster.Restart(b.Context(), "rw-core1-0", ip); err != nil {
			b.Fatal(err)
		}
		cores.Move("rw-core1-0", ip+":50057")
		if !holds(b, router, ip+":50057", 10*time.Second) {
			b.Fatalf("the router was not re-pointed to %s", ip)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(router.Calls()-calls)/float64(len(lat)), "calls/op")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// holds waits until the router's slot vcore11 points at addr, woken by each Set call.
func holds(b *testing.B, router *sim.Router, addr string, limit time.Duration) bool {
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

// BenchmarkRepoint measures re-pointing a restarted core: steadfast's daemon against the
// origin's polling loop.
func BenchmarkRepoint(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		cluster, cores, router := world(b)
		pods := cluster.Pods()
		fast := backoff.Policy{Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond, MaxElapsed: backoff.Forever}
		d, err := voltha.New(pods, voltha.DialRouter(router.Addr(), time.Second), voltha.NewCoreAPI(cores.DialOption()),
			voltha.WithLayout(layout),
			voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
			voltha.WithSuperviseOptions(connctx.WithDialPolicy(fast), connctx.WithRestartPolicy(fast)),
			voltha.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			b.Fatal(err)
		}
		stop := run(b, d.Run)
		defer stop()
		repoint(b, cluster, cores, router)
	})
	b.Run("poll-50ms-full-push", func(b *testing.B) {
		cluster, cores, router := world(b)
		stop := run(b, func(ctx context.Context) error { return poller(ctx, cluster, cores, router.Addr()) })
		defer stop()
		repoint(b, cluster, cores, router)
	})
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

// poller is the anchor, the origin's loop: every pollEvery, list the pods, ask every rw-core
// for its devices, compute the table and push all of it.
func poller(ctx context.Context, cluster *sim.Cluster, cores *sim.Cores, addr string) error {
	cc, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	client := afrouterpb.NewConfigurationClient(cc)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var prev voltha.Table
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		list, err := cluster.Pods().List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		pods, devices := corePods(ctx, list.Items, voltha.NewCoreAPI(cores.DialOption()))
		prev, _ = layout.Assign(pods, devices, prev)
		pushAll(ctx, client, prev)
	}
}

func corePods(ctx context.Context, items []corev1.Pod, cores voltha.Cores) ([]voltha.Pod, map[string][]string) {
	var pods []voltha.Pod
	devices := map[string][]string{}
	for _, p := range items {
		role, group, ok := voltha.ClassifyByName(&p)
		if !ok || p.Status.PodIP == "" {
			continue
		}
		vp := voltha.Pod{Name: p.Name, Addr: net.JoinHostPort(p.Status.PodIP, "50057"), Node: p.Spec.NodeName, Role: role, Group: group}
		pods = append(pods, vp)
		if role == voltha.RoleRW {
			devices[p.Name], _ = cores.Devices(ctx, vp)
		}
	}
	return pods, devices
}

// pushAll pushes the whole table, as the origin's loop did; the router refuses the connections
// it already holds, which changes nothing.
func pushAll(ctx context.Context, client afrouterpb.ConfigurationClient, t voltha.Table) {
	for _, c := range t.Connections {
		if req, err := voltha.DefaultNames.ConnRequest(c); err == nil {
			_, _ = client.SetConnection(ctx, req)
		}
	}
	for _, a := range t.Affinities {
		_, _ = client.SetAffinity(ctx, voltha.DefaultNames.AffinityRequest(a))
	}
}
