package voltha

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

var quick = backoff.Policy{Initial: 100 * time.Millisecond, Max: time.Second, MaxElapsed: time.Minute}

// noRouter is a router that cannot be reached: these tests are about the watch side and run
// under synctest, with no network.
func noRouter(context.Context) (*grpc.ClientConn, error) { return nil, errors.New("no router here") }

func runningPod(name, node, ip, rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "voltha", ResourceVersion: rv},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip}}
}

// newTestDaemon makes a daemon on src that cannot reach its router, with a router budget.
func newTestDaemon(t *testing.T, src *watchtest.Source, budget time.Duration) *Daemon {
	t.Helper()
	d, err := New(src, noRouter, CoresFunc(func(context.Context, Pod) ([]string, error) { return nil, nil }),
		WithPodOptions(watch.WithList(src.List)), WithWatchOptions(watch.WithPolicy(quick)),
		WithSuperviseOptions(connctx.WithDialPolicy(backoff.Policy{Initial: time.Second, MaxElapsed: backoff.Forever})),
		WithRouterBudget(budget), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	return d
}

// runFor runs d for a while of fake time, then stops it and returns what Run returned.
func runFor(d *Daemon, span time.Duration, during func()) error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	time.Sleep(span) // fake time: synctest
	synctest.Wait()
	during()
	cancel()
	return <-done
}

func addrs(d *Daemon) map[string]string {
	pods, _, _ := d.world.snapshot()
	m := map[string]string{}
	for _, p := range pods {
		m[p.Name] = p.Addr
	}
	return m
}

func TestPodsAPIErrorsAndWatchFailuresAreRetriedNotPanickedOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		listed := runningPod("rw-core1-0", "n1", "10.0.0.2", "9")
		src := watchtest.NewSource(
			watchtest.Fail(apierrors.NewInternalError(errors.New("etcd down"))),
			watchtest.Stream(watchtest.Added(runningPod("rw-core1-0", "n1", "10.0.0.1", "5")),
				watchtest.Error(apierrors.NewServiceUnavailable("busy"))),
			watchtest.Stream(watchtest.Gone()),
		)
		lists := 0
		src.SetList(func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
			if lists++; lists == 1 {
				return nil, "", apierrors.NewTooManyRequests("slow down", 0)
			}
			return []runtime.Object{listed}, "9", nil
		})
		d := newTestDaemon(t, src, time.Hour)
		err := runFor(d, 10*time.Second, func() {
			assert.Equal(t, map[string]string{"rw-core1-0": "10.0.0.2:50057"}, addrs(d),
				"after the relist the daemon sees the pod at its listed address")
			assert.NoError(t, d.Healthy(), "failures that were retried leave the daemon healthy")
		})
		require.NoError(t, err)
		assert.Equal(t, 4.0, d.metrics.get(mWatchRestarts, ResourcePods), "500 at open, 503 mid-stream, 410, failed list")
		assert.Equal(t, 1.0, d.metrics.get(mWatchRelists, ResourcePods))
		assert.Equal(t, 3, lists, "the initial list, then the relist's failed list and its retry")
	})
}

func TestAWatcherThatGaveUpMakesTheDaemonUnhealthyAndKeepsItRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no RBAC"))
		d := newTestDaemon(t, watchtest.NewSource(watchtest.Fail(forbidden)), time.Hour)
		err := runFor(d, time.Second, func() {
			assert.ErrorIs(t, d.Healthy(), watch.ErrGaveUp)
			rec := httptest.NewRecorder()
			d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "a liveness probe sees it: %s", rec.Body)
			assert.Contains(t, rec.Body.String(), "rejected")
		})
		assert.ErrorIs(t, err, watch.ErrRejected, "Run returns what gave up once its context ends")
		assert.Equal(t, 1.0, d.metrics.get(mWatchGiveUps, ResourcePods))
	})
}

func TestARouterUnreachablePastItsBudgetMakesTheDaemonUnhealthy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newTestDaemon(t, watchtest.NewSource(), 30*time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		time.Sleep(29 * time.Second)
		synctest.Wait()
		assert.NoError(t, d.Healthy(), "within the budget")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.ErrorIs(t, d.Healthy(), ErrRouterUnreachable, "past the budget")
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		assert.Contains(t, rec.Body.String(), "\nvoltha_healthy 0\n")
		assert.Contains(t, rec.Body.String(), "\nvoltha_router_dial_errors_total ")
		cancel()
		require.NoError(t, <-done)
	})
}

func TestADaemonThatNeverRanStartedNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newTestDaemon(t, watchtest.NewSource(), time.Minute)
		assert.NoError(t, d.Healthy())
		assert.Zero(t, d.metrics.get(mSessions, ""))
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		assert.Equal(t, "ok\n", rec.Body.String())
	}) // synctest fails if a goroutine of the bubble is left
}

func TestRunTwiceAtOnceIsRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newTestDaemon(t, watchtest.NewSource(), time.Minute)
		err := runFor(d, time.Second, func() {
			assert.ErrorIs(t, d.Run(context.Background()), ErrRunning)
		})
		require.NoError(t, err)
	})
}

func TestMetricsAreServedInPrometheusTextFormat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newTestDaemon(t, watchtest.NewSource(), time.Minute)
		d.metrics.watch.OnRestart(watch.Restart{Resource: ResourcePods})
		d.metrics.watch.OnRestart(watch.Restart{Resource: ResourcePods})
		d.metrics.watch.OnRestart(watch.Restart{Resource: ResourceDiscovery})
		for range 3 {
			d.metrics.router.OnConnected(connctx.Connected{})
		}
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		out := rec.Body.String()
		assert.Contains(t, out, "# HELP voltha_watch_restarts_total Watch streams re-opened, by resource.\n"+
			"# TYPE voltha_watch_restarts_total counter\n"+
			"voltha_watch_restarts_total{resource=\"discovery\"} 1\n"+
			"voltha_watch_restarts_total{resource=\"pods\"} 2\n")
		assert.Contains(t, out, "# TYPE voltha_router_sessions_total counter\nvoltha_router_sessions_total 3\n")
		assert.Contains(t, out, "# TYPE voltha_healthy gauge\nvoltha_healthy 1\n")
	})
}

func TestNewRefusesBadInput(t *testing.T) {
	src := watchtest.NewSource()
	cores := CoresFunc(func(context.Context, Pod) ([]string, error) { return nil, nil })
	tests := []struct {
		name string
		opts []Option
	}{
		{"a zero query timeout", []Option{WithQueryTimeout(0)}},
		{"a negative router budget", []Option{WithRouterBudget(-time.Second)}},
		{"a port out of range", []Option{WithCorePort(70000)}},
		{"an invalid retry policy", []Option{WithQueryRetry(backoff.Policy{Initial: -1})}},
		{"a nil logger", []Option{WithLogger(nil)}},
		{"an odd number of read-write cores", []Option{WithLayout(Layout{Names: DefaultNames, RWCores: 3})}},
		{"a layout without names", []Option{WithLayout(Layout{RWCores: 2})}},
		{"a nil classifier", []Option{WithClassifier(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(src, noRouter, cores, tt.opts...)
			assert.Error(t, err)
		})
	}
	_, err := New(nil, noRouter, cores)
	assert.Error(t, err, "a nil pods source")
}
