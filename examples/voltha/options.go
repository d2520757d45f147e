package voltha

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/watch"
)

// Defaults of the daemon's options. The core port and the query timeout are the origin's
// (POD_GRPC_PORT, and the 5 s it gave each call to a core).
const (
	DefaultCorePort     = 50057
	DefaultQueryTimeout = 5 * time.Second
	DefaultRPCTimeout   = 5 * time.Second
	DefaultRouterBudget = time.Minute
)

// DefaultQueryRetry is how failed core queries are retried by default: from 1 s, doubling up to
// 30 s, forever (a core that does not answer is still routed to; only its devices wait).
var DefaultQueryRetry = backoff.Policy{Initial: time.Second, Max: 30 * time.Second, MaxElapsed: backoff.Forever}

// Option configures a [Daemon]; pass options to [New].
type Option func(*config)

type config struct {
	podOpts       []watch.ResourceOption
	discovery     watch.Source
	discoveryOpts []watch.ResourceOption
	watchOpts     []watch.Option
	superviseOpts []connctx.Option
	queryTimeout  time.Duration
	rpcTimeout    time.Duration
	queryRetry    backoff.Policy
	routerBudget  time.Duration
	corePort      int
	layout        Layout
	classify      Classifier
	log           *slog.Logger
	onSync        func(Sync)
	now           func() time.Time
}

func defaults() config {
	return config{queryTimeout: DefaultQueryTimeout, rpcTimeout: DefaultRPCTimeout, queryRetry: DefaultQueryRetry,
		routerBudget: DefaultRouterBudget, corePort: DefaultCorePort, layout: DefaultLayout, classify: ClassifyByName,
		log: slog.Default(), now: time.Now}
}

// validate checks the values options set.
func (c config) validate() error {
	switch {
	case c.queryTimeout <= 0, c.rpcTimeout <= 0, c.routerBudget <= 0:
		return errors.New("voltha: timeouts and the router budget must be positive")
	case c.corePort <= 0 || c.corePort > 65535:
		return fmt.Errorf("voltha: core port %d out of range", c.corePort)
	case c.classify == nil || c.log == nil:
		return errors.New("voltha: nil classifier or logger")
	}
	if err := c.layout.Validate(); err != nil {
		return err
	}
	if err := c.queryRetry.Validate(); err != nil {
		return fmt.Errorf("voltha: query retry: %w", err)
	}
	return nil
}

// WithPodOptions passes options to the pods resource of the watcher: watch.WithList for
// relists after 410 Gone (watch.ListerOf(pods.List)), watch.WithListOptions for a selector.
func WithPodOptions(opts ...watch.ResourceOption) Option {
	return func(c *config) { c.podOpts = append(c.podOpts, opts...) }
}

// WithDiscovery adds a second watched source, of [DeviceDiscovered] events (a [Bus] is one):
// each sets the affinity of the device to the backend of the core that found it.
func WithDiscovery(src watch.Source, opts ...watch.ResourceOption) Option {
	return func(c *config) { c.discovery, c.discoveryOpts = src, opts }
}

// WithWatchOptions passes options to the watcher (watch.WithPolicy, watch.WithIdleTimeout).
// The daemon sets the hooks itself; hooks given here are replaced.
func WithWatchOptions(opts ...watch.Option) Option {
	return func(c *config) { c.watchOpts = append(c.watchOpts, opts...) }
}

// WithSuperviseOptions passes options to connctx.Supervise (connctx.WithDialPolicy,
// connctx.WithRestartPolicy, connctx.WithHealthyAfter, connctx.WithDialTimeout). The daemon sets the hooks
// itself; hooks given here are replaced.
func WithSuperviseOptions(opts ...connctx.Option) Option {
	return func(c *config) { c.superviseOpts = append(c.superviseOpts, opts...) }
}

// WithQueryTimeout bounds each query of a core's devices (default [DefaultQueryTimeout]).
func WithQueryTimeout(d time.Duration) Option { return func(c *config) { c.queryTimeout = d } }

// WithQueryRetry sets how failed core queries are retried (default [DefaultQueryRetry]).
func WithQueryRetry(p backoff.Policy) Option { return func(c *config) { c.queryRetry = p } }

// WithRPCTimeout bounds each call to the router (default [DefaultRPCTimeout]). A call that
// fails ends the session: the next one starts over and pushes everything.
func WithRPCTimeout(d time.Duration) Option { return func(c *config) { c.rpcTimeout = d } }

// WithRouterBudget sets how long the router may be unreachable before [Daemon.Healthy]
// reports it (default [DefaultRouterBudget]).
func WithRouterBudget(d time.Duration) Option { return func(c *config) { c.routerBudget = d } }

// WithCorePort sets the port of the cores' API: a core's address is its pod IP and this port
// (default [DefaultCorePort]).
func WithCorePort(port int) Option { return func(c *config) { c.corePort = port } }

// WithClassifier sets how pods are recognised as cores (default [ClassifyByName]).
func WithClassifier(fn Classifier) Option { return func(c *config) { c.classify = fn } }

// WithLayout sets the router's names and the numbers of cores the daemon waits for (default
// [DefaultLayout], the origin's).
func WithLayout(l Layout) Option { return func(c *config) { c.layout = l } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// OnSync calls fn after every push to the router that succeeded, on the session's goroutine.
// It must not block.
func OnSync(fn func(Sync)) Option { return func(c *config) { c.onSync = fn } }
