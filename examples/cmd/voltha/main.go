// Command voltha runs the affinity-router daemon. By default it plays a demo on an embedded
// world: a fake Kubernetes cluster (client-go's fake clientset) in which core pods start and
// restart, in-process cores, and an in-process afrouter on 127.0.0.1 that it kills and restarts,
// printing the router's table after each convergence and checking it against the expected one;
// it exits non-zero if a check fails. With -kubeconfig and -afrouter it runs against a real
// cluster and router until interrupted, serving /healthz and /metrics on -listen, and taking
// discovery events as POST /discover?device=ID&core=POD.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/watch"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster; empty (with -afrouter empty) runs the demo")
	afrouter := flag.String("afrouter", "", "address (host:port) of the afrouter's configuration API")
	namespace := flag.String("namespace", "voltha", "namespace of the core pods")
	listen := flag.String("listen", ":8080", "address of /healthz, /metrics and /discover")
	corePort := flag.Int("core-port", voltha.DefaultCorePort, "port of the cores' API")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch {
	case *kubeconfig == "" && *afrouter == "":
		err = demo(ctx)
	case *kubeconfig == "" || *afrouter == "":
		err = errors.New("give both -kubeconfig and -afrouter, or neither for the demo")
	default:
		err = run(ctx, *kubeconfig, *afrouter, *namespace, *listen, *corePort)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "voltha:", err)
		os.Exit(1)
	}
}

// run runs the daemon against a real cluster and router until ctx ends. This version has no
// client of VOLTHA's core API, so devices are learnt from discovery events only.
func run(ctx context.Context, kubeconfig, afrouter, namespace, listen string, corePort int) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	pods := cs.CoreV1().Pods(namespace)
	bus := &voltha.Bus{}
	noQuery := voltha.CoresFunc(func(context.Context, voltha.Pod) ([]string, error) { return nil, nil })
	d, err := voltha.New(pods, voltha.DialRouter(afrouter, 10*time.Second), noQuery,
		voltha.WithPodOptions(watch.WithList(watch.ListerOf(pods.List))),
		voltha.WithDiscovery(bus, watch.WithList(bus.List)), voltha.WithCorePort(corePort))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", d.Handler())
	mux.Handle("POST /discover", discover(bus))
	slog.Info("serving", "addr", ln.Addr().String())
	return serve(ctx, d, ln, mux)
}

// serve runs d and an HTTP server with h on ln until ctx ends, and stops both.
func serve(ctx context.Context, d *voltha.Daemon, ln net.Listener, h http.Handler) error {
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

// listenLoopback listens on a free port of 127.0.0.1.
func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// discover publishes the discovery event of a POST /discover?device=ID&core=POD on bus: the
// stand-in for the origin's Kafka topic when running against a real cluster.
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
