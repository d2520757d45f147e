package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/watch"
)

// routerDialTimeout bounds one dial of the router; dials are retried with originDial.
const routerDialTimeout = 10 * time.Second

// originDial is how the router is dialled again: as the origin's gRPC channel did, forever,
// with delays growing to 5 s.
var originDial = backoff.Policy{Initial: time.Second, Max: 5 * time.Second, MaxElapsed: backoff.Forever}

// run runs the daemon against the cluster, its cores and its router until ctx ends.
func run(ctx context.Context, cfg config) error {
	rc, err := restConfig(cfg)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	return runWith(ctx, cfg, cs.CoreV1().Pods(cfg.namespace), ln)
}

// restConfig is the origin's: from K8S_API_SERVER and K8S_KUBE_CONFIG_PATH if either is set,
// else the in-cluster config.
func restConfig(cfg config) (*rest.Config, error) {
	if cfg.kubeAPI != "" || cfg.kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags(cfg.kubeAPI, cfg.kubeconfig)
	}
	return rest.InClusterConfig()
}

// runWith runs the daemon of cfg on pods, with the cores asked over their API (coreOpts are
// added to its connections' options), serving its endpoints and /discover on ln, until ctx
// ends.
func runWith(ctx context.Context, cfg config, pods typedcorev1.PodInterface, ln net.Listener, coreOpts ...grpc.DialOption) error {
	bus := &voltha.Bus{}
	d, err := newDaemon(cfg, pods, bus, voltha.NewCoreAPI(coreOpts...))
	if err != nil {
		_ = ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", d.Handler())
	mux.Handle("POST /discover", discover(bus))
	slog.Info("serving", "addr", ln.Addr().String(), "afrouter", cfg.afrouter, "namespace", cfg.namespace)
	return serve(ctx, d, ln, mux)
}

// newDaemon makes the daemon as real-cluster mode runs it, and the demo too: pods watched with
// relists, discovery from bus, the layout and port of cfg, the router at cfg.afrouter dialled
// as the origin did (keepalive 10 s / 5 s, see voltha.DialRouter). extra options come last.
func newDaemon(cfg config, pods typedcorev1.PodInterface, bus *voltha.Bus, cores voltha.Cores, extra ...voltha.Option) (*voltha.Daemon, error) {
	opts := append([]voltha.Option{
		voltha.WithLayout(cfg.layout), voltha.WithCorePort(cfg.corePort),
		voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
		voltha.WithDiscovery(bus, watch.WithList(bus.List)),
		voltha.WithSuperviseOptions(connctx.WithDialPolicy(originDial)),
	}, extra...)
	return voltha.New(pods, voltha.DialRouter(cfg.afrouter, routerDialTimeout), cores, opts...)
}

// serve runs d and an HTTP server with h on ln until ctx ends, and stops both.
func serve(ctx context.Context, d *voltha.Daemon, ln net.Listener, h http.Handler) error {
	stopMetrics, err := serveMetrics(ctx, d)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopMetrics()
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.Run(gctx) })
	g.Go(func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		return hs.Close()
	})
	return g.Wait()
}

// discover publishes the discovery event of a POST /discover?device=ID&core=POD on bus: the
// stand-in for the origin's Kafka topic.
func discover(bus *voltha.Bus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		device, core := r.URL.Query().Get("device"), r.URL.Query().Get("core")
		if device == "" || core == "" {
			http.Error(w, "device and core are required", http.StatusBadRequest)
			return
		}
		bus.Publish(device, core)
		w.WriteHeader(http.StatusAccepted)
	}
}
