package voltha_test

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/watch"
)

// Example_daemon wires the daemon to a real cluster, its cores and its router, as the origin
// was: the origin's layout and names, cores asked over their gRPC API. It needs them, so it
// only compiles.
func Example_daemon() {
	ctx := context.Background()
	cfg, err := clientcmd.BuildConfigFromFlags("", "/etc/kubeconfig")
	if err != nil {
		slog.Error("kubeconfig", "err", err)
		return
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		slog.Error("clientset", "err", err)
		return
	}
	pods := cs.CoreV1().Pods("voltha")
	bus := &voltha.Bus{} // fed by whatever carries discovery events
	d, err := voltha.New(pods, voltha.DialRouter("localhost:55554", 10*time.Second), voltha.NewCoreAPI(),
		voltha.WithLayout(voltha.DefaultLayout),
		voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
		voltha.WithDiscovery(bus, watch.WithList(bus.List)))
	if err != nil {
		slog.Error("daemon", "err", err)
		return
	}
	srv := &http.Server{Addr: ":8080", Handler: d.Handler(), ReadHeaderTimeout: 5 * time.Second}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.Run(ctx) })
	g.Go(srv.ListenAndServe)
	slog.Error("daemon stopped", "err", g.Wait())
}
