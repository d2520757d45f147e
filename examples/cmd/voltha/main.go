// Command voltha runs the affinity-router daemon.
//
// By default it plays a demo on an embedded world: a fake Kubernetes cluster (client-go's fake
// clientset) in which core pods start and restart, in-process VOLTHA cores serving
// voltha.VolthaService, and an in-process afrouter on 127.0.0.1 serving afrouter.Configuration
// that it kills and restarts, printing the router's table after each convergence and checking
// it against the expected one; it exits non-zero if a check fails.
//
// With -cluster it runs against a real cluster until interrupted, as VOLTHA's arouterd did:
// it watches the core pods of -namespace, asks the read-write cores for their devices with
// ListDeviceIds, hands a restarted core its devices back with ReconcileDevices, and configures
// the afrouter at -afrouter with SetConnection and SetAffinity, under the names and the core
// counts the flags give (their defaults are the origin's environment variables and theirs:
// AFROUTER_API_ADDRESS, AFROUTER_ROUTER_NAME, AFROUTER_ROUTE_NAME, AFROUTER_RW_CLUSTER_NAME,
// AFROUTER_RO_CLUSTER_NAME, NUM_RW_PODS, NUM_RO_PODS, POD_NAMESPACE, POD_GRPC_PORT,
// K8S_API_SERVER, K8S_KUBE_CONFIG_PATH). It serves /healthz and /metrics on -listen, and takes
// device discovery events as POST /discover?device=ID&core=POD: it has no Kafka consumer (see
// the README of examples/voltha).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.LookupEnv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "voltha:", err)
		os.Exit(2)
	}
	metricsAddr = cfg.metrics
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if cfg.cluster {
		err = run(ctx, cfg)
	} else {
		err = demo(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "voltha:", err)
		os.Exit(1)
	}
}
