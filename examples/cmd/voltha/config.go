package main

import (
	"errors"
	"flag"
	"io"
	"math"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// config is what the command runs with: the flags, whose defaults are the origin's
// environment variables, and those variables' own defaults when they are not set.
type config struct {
	cluster    bool   // run against a real cluster, not the demo
	kubeconfig string // K8S_KUBE_CONFIG_PATH
	kubeAPI    string // K8S_API_SERVER; with kubeconfig empty too, the in-cluster config
	namespace  string // POD_NAMESPACE
	corePort   int    // POD_GRPC_PORT
	afrouter   string // AFROUTER_API_ADDRESS
	layout     voltha.Layout
	listen     string
	metrics    string // -metrics
}

// parseConfig parses args with the environment that lookup reads.
func parseConfig(args []string, lookup lookupFunc, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("voltha", flag.ContinueOnError)
	fs.SetOutput(out)
	ints, err := envInts(lookup)
	if err != nil {
		return c, err
	}
	n := &c.layout.Names
	fs.BoolVar(&c.cluster, "cluster", false, "run against a real cluster, its cores and its afrouter; without it, the demo runs")
	fs.StringVar(&c.kubeconfig, "kubeconfig", envString(lookup, "K8S_KUBE_CONFIG_PATH", ""), "kubeconfig; with -kube-api empty too, the in-cluster config (env K8S_KUBE_CONFIG_PATH)")
	fs.StringVar(&c.kubeAPI, "kube-api", envString(lookup, "K8S_API_SERVER", ""), "URL of the Kubernetes API server (env K8S_API_SERVER)")
	fs.StringVar(&c.namespace, "namespace", envString(lookup, "POD_NAMESPACE", "voltha"), "namespace of the core pods (env POD_NAMESPACE)")
	fs.IntVar(&c.corePort, "core-port", ints[0], "gRPC port of the cores (env POD_GRPC_PORT)")
	fs.IntVar(&c.layout.RWCores, "rw-cores", ints[1], "read-write cores to wait for, 2 per backend (env NUM_RW_PODS)")
	fs.IntVar(&c.layout.ROCores, "ro-cores", ints[2], "read-only cores to wait for, 1 per backend (env NUM_RO_PODS)")
	fs.StringVar(&c.afrouter, "afrouter", envString(lookup, "AFROUTER_API_ADDRESS", "localhost:55554"), "address of the afrouter's configuration API (env AFROUTER_API_ADDRESS)")
	fs.StringVar(&n.Router, "router", envString(lookup, "AFROUTER_ROUTER_NAME", voltha.DefaultNames.Router), "the afrouter's router (env AFROUTER_ROUTER_NAME)")
	fs.StringVar(&n.Route, "route", envString(lookup, "AFROUTER_ROUTE_NAME", voltha.DefaultNames.Route), "its route by device (env AFROUTER_ROUTE_NAME)")
	fs.StringVar(&n.RWCluster, "rw-cluster", envString(lookup, "AFROUTER_RW_CLUSTER_NAME", voltha.DefaultNames.RWCluster), "cluster of the read-write cores (env AFROUTER_RW_CLUSTER_NAME)")
	fs.StringVar(&n.ROCluster, "ro-cluster", envString(lookup, "AFROUTER_RO_CLUSTER_NAME", voltha.DefaultNames.ROCluster), "cluster of the read-only cores (env AFROUTER_RO_CLUSTER_NAME)")
	fs.StringVar(&n.Server, "server", voltha.DefaultNames.Server, "the afrouter's gRPC server that holds the connections")
	fs.StringVar(&c.listen, "listen", ":8080", "address of /healthz, /metrics and /discover")
	fs.StringVar(&c.metrics, "metrics", "", "also serve Prometheus /metrics on this address (127.0.0.1:0: a free loopback port; empty: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, errors.New("no arguments are taken, only flags")
	}
	return c, c.layout.Validate()
}

// envInts reads the origin's numeric variables, with its defaults: POD_GRPC_PORT (50057),
// NUM_RW_PODS (6), NUM_RO_PODS (3).
func envInts(lookup lookupFunc) ([3]int, error) {
	var v [3]int
	var errs [3]error
	v[0], errs[0] = envInt(lookup, "POD_GRPC_PORT", 1, math.MaxUint16, voltha.DefaultCorePort)
	v[1], errs[1] = envInt(lookup, "NUM_RW_PODS", 0, math.MaxInt32, voltha.DefaultLayout.RWCores)
	v[2], errs[2] = envInt(lookup, "NUM_RO_PODS", 0, math.MaxInt32, voltha.DefaultLayout.ROCores)
	return v, errors.Join(errs[:]...)
}
