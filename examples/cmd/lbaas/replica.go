package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/lbaas"
	"github.com/steadfast-go/steadfast/examples/leader"
)

// childEnv, set to 1, makes the program a replica started by -replicas (see cluster): it
// runs replicaMain on its arguments instead of main's flags.
const childEnv = "LBAAS_REPLICA_CHILD"

// leaseName is the lease the replicas compete for.
const leaseName = "lbaas-demo"

// replicaConfig is what a replica is started with.
type replicaConfig struct {
	id, engine, lb string
	lease          string        // "k8s=<url>" or "pg=<dsn>"
	duration       time.Duration // the lease duration; renew deadline and interval follow
}

func (c replicaConfig) args() []string {
	return []string{"-id", c.id, "-engine", c.engine, "-lb", c.lb, "-lease", c.lease, "-lease-duration", c.duration.String()}
}

// leaseOptions are the Leader's durations for a lease duration d: renew deadline 3/4 of it,
// renewals every 1/8, acquire attempts every 1/20.
func leaseOptions(id string, d time.Duration) []connctx.LeaseOption {
	return []connctx.LeaseOption{connctx.WithIdentity(id), connctx.WithLeaseDuration(d),
		connctx.WithRenewDeadline(d * 3 / 4), connctx.WithRenewInterval(d / 8),
		connctx.WithDialPolicy(backoff.Policy{Initial: d / 20, Multiplier: 1, Jitter: 0.2, Max: backoff.Forever, MaxElapsed: backoff.Forever})}
}

// replicaMain is a replica: it campaigns for the lease and, while it leads, reconciles the
// demo's service against the Engine, sending its identity and fencing token with each call.
// It prints "LEADING <id> <token>" when a term starts and "STOPPED <id> <token> <cause>" when
// it ends, and stops (releasing the lease) on SIGTERM or when its stdin closes.
func replicaMain(args []string) int {
	fs := flag.NewFlagSet("lbaas replica", flag.ContinueOnError)
	var c replicaConfig
	fs.StringVar(&c.id, "id", "", "identity")
	fs.StringVar(&c.engine, "engine", "", "Engine URL")
	fs.StringVar(&c.lb, "lb", "", "load balancer identifier")
	fs.StringVar(&c.lease, "lease", "", "k8s=<API server URL> or pg=<DSN>")
	fs.DurationVar(&c.duration, "lease-duration", 2*time.Second, "lease duration")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { // the parent is gone when stdin closes
		_, _ = bufio.NewReader(os.Stdin).ReadString(0)
		stop()
	}()
	if err := runReplica(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "replica", c.id+":", err)
		return 1
	}
	return 0
}

func runReplica(ctx context.Context, c replicaConfig) error {
	lock, closeLock, err := openLock(ctx, c.lease)
	if err != nil {
		return err
	}
	defer closeLock()
	svc := replicaService(c.lb)
	var out sync.Mutex
	say := func(format string, a ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Printf(format+"\n", a...)
	}
	session := func(ctx context.Context, lease connctx.Lease, _ *errgroup.Group) error {
		say("LEADING %s %d", lease.Identity, lease.Token)
		defer func() { say("STOPPED %s %d %v", lease.Identity, lease.Token, context.Cause(ctx)) }()
		client, err := lbaas.NewClient(c.engine, "", backoff.Policy{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxElapsed: backoff.Forever},
			500*time.Millisecond, lbaas.WithTransport(fenceTransport{holder: lease.Holder}))
		if err != nil {
			return backoff.Permanent(err)
		}
		r, err := lbaas.New(client, svc)
		if err != nil {
			return backoff.Permanent(err)
		}
		for {
			if err := r.Reconcile(ctx); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "replica", lease.Identity+": reconcile:", err)
			}
			if !backoff.Sleep(ctx, 20*time.Millisecond) {
				return nil
			}
		}
	}
	l, err := connctx.NewLeader(lock, session, leaseOptions(c.id, c.duration)...)
	if err != nil {
		return err
	}
	return l.Run(ctx)
}

// openLock opens the lease's store: a PGLock over a pool, or a K8sLock over a typed client.
func openLock(ctx context.Context, spec string) (connctx.Lock, func(), error) {
	kind, addr, _ := strings.Cut(spec, "=")
	switch kind {
	case "pg":
		pool, err := pgxpool.New(ctx, addr)
		if err != nil {
			return nil, nil, err
		}
		l, err := leader.NewPGLock(pool, leaseName)
		if err == nil {
			err = backoff.Retry(ctx, backoff.Policy{Initial: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}, l.CreateTable)
		}
		if err != nil {
			pool.Close()
			return nil, nil, err
		}
		return l, pool.Close, nil
	case "k8s":
		cs, err := kubernetes.NewForConfig(&rest.Config{Host: addr})
		if err != nil {
			return nil, nil, err
		}
		l, err := leader.NewK8sLock(cs.CoordinationV1().Leases("default"), leaseName)
		return l, func() {}, err
	}
	return nil, nil, fmt.Errorf("-lease %q: want k8s=<url> or pg=<dsn>", spec)
}

// replicaService is the service the replicas keep: one port, one external IP, two nodes.
func replicaService(lb string) lbaas.Service {
	return lbaas.Service{UID: "7a1e", LoadBalancer: lb, NameSuffix: "web.default.replicas",
		Ports:       []lbaas.Port{{Name: "http", External: 80, Internal: 30080}},
		ExternalIPs: []string{"192.0.2.20"},
		Nodes:       []lbaas.Node{{Name: "node-a", Address: "10.0.0.1"}, {Name: "node-b", Address: "10.0.0.2"}}}
}

// fenceTransport sends the lease's holder and fencing token with every request, and sends
// nothing once the request's context has ended or its deadline (the lease's, or sooner) has
// passed: net/http does not read the deadline before writing on a kept-alive connection, so a
// replica thawed after a freeze would otherwise send one call on a stale lease.
type fenceTransport struct{ holder connctx.Holder }

func (f fenceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return nil, context.DeadlineExceeded
	}
	req = req.Clone(ctx)
	req.Header.Set(lbaas.FenceHolderHeader, f.holder.Identity)
	req.Header.Set(lbaas.FenceTokenHeader, strconv.FormatUint(f.holder.Token, 10))
	return http.DefaultTransport.RoundTrip(req)
}

// errNoLeader is the error of a wait for a leader that did not come.
var errNoLeader = errors.New("no replica took the lease")
