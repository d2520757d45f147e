package watchetcd_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/examples/watchetcd"
	"github.com/steadfast-go/steadfast/examples/watchetcd/etcdtest"
	"github.com/steadfast-go/steadfast/watch"
)

// slowElection makes a restarted member wait for a full election timeout of 2.5 seconds
// before it elects itself (by default a lone member skips most of it): the window in which a
// server is up but has no leader, as a cluster that lost its quorum is while it restarts. Watches
// opened in it fail at once with etcd's "no leader".
var slowElection = []etcdtest.Option{etcdtest.WithFlags(
	"--election-timeout=2500", "--heartbeat-interval=250", "--initial-election-tick-advance=false")}

// retryWatcherSource is the adapter as client-go's cache.WatcherWithContext, what
// watchtools.NewRetryWatcherWithContext takes.
type retryWatcherSource struct{ src *watchetcd.Source }

func (r retryWatcherSource) WatchWithContext(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	return r.src.Watch(ctx, opts)
}

// arrivals records when each revision reached a consumer.
type arrivals struct {
	mu sync.Mutex
	at map[int64]time.Time
}

func (a *arrivals) seen(rev int64) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.at[rev]
	return t, ok
}

// restarts is how many times TestConvergenceAfterRestarts kills and restarts etcd;
// STEADFAST_ETCD_RESTARTS sets it for a longer measurement.
func kills(t *testing.T) int {
	if s := os.Getenv("STEADFAST_ETCD_RESTARTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("STEADFAST_ETCD_RESTARTS=%q", s)
		}
		return n
	}
	return 3
}

// TestConvergenceAfterRestarts measures, with etcd's default election settings and with a
// slow election, for the Watcher with the library's defaults and for
// client-go's RetryWatcher side by side over the same etcd, the time from the restarted etcd
// accepting a write to the consumer seeing it, for each of several SIGKILLs and restarts. It
// asserts that both see every write; the figures are logged (go test -v -run
// TestConvergenceAfterRestarts).
func TestConvergenceAfterRestarts(t *testing.T) {
	t.Run("default election", func(t *testing.T) { convergence(t, kills(t)) })
	// Each restart waits 2.5 to 5 s for the election: once, unless STEADFAST_ETCD_RESTARTS asks.
	n := 1
	if os.Getenv("STEADFAST_ETCD_RESTARTS") != "" {
		n = kills(t)
	}
	t.Run("slow election", func(t *testing.T) { convergence(t, n, slowElection...) })
}

func convergence(t *testing.T, n int, opts ...etcdtest.Option) {
	srv := etcdtest.Start(t, opts...)
	var (
		mu       sync.Mutex
		restarts []watch.Restart
	)
	s := startWatcher(t, srv, watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) {
		mu.Lock()
		restarts = append(restarts, r)
		mu.Unlock()
	}}))
	w := &writer{t: t, c: srv.Client(), live: map[string]bool{}}
	rev := w.put("conv", "0")

	rwSeen := startRetryWatcher(t, watchetcd.New(srv.Client(), prefix), rev)
	eventually(t, 30*time.Second, "the Watcher is synced", func() bool { return s.w.Synced() })

	var ours, theirs []time.Duration
	for i := range n {
		srv.Kill()
		srv.Restart()
		rev := w.put("conv", strconv.Itoa(i+1)) // retried until the restarted member accepts it
		accepted := time.Now()
		var a, b time.Time
		eventually(t, 60*time.Second, fmt.Sprintf("both see revision %d", rev), func() bool {
			var ok1, ok2 bool
			a, ok1 = s.rec.seen(rev)
			b, ok2 = rwSeen.seen(rev)
			return ok1 && ok2
		})
		ours, theirs = append(ours, max(a.Sub(accepted), 0)), append(theirs, max(b.Sub(accepted), 0))
		mu.Lock()
		for _, r := range restarts { // etcd's client keeps the stream open across the restart
			t.Errorf("the Watcher re-opened its stream after %v (attempt %d): %v", r.Delay, r.Attempt, r.Err)
		}
		restarts = nil
		mu.Unlock()
		t.Logf("restart %d: revision %d seen by the Watcher after %v, by RetryWatcher after %v",
			i+1, rev, ours[i].Round(time.Millisecond), theirs[i].Round(time.Millisecond))
	}
	t.Logf("Watcher:      %s", summary(ours))
	t.Logf("RetryWatcher: %s", summary(theirs))
	s.rec.check(t)
	if !s.w.Healthy() {
		t.Errorf("unhealthy: %v", s.w.Status())
	}
}

func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return fmt.Sprintf("median %v, range %v–%v over %d restarts",
		med.Round(time.Millisecond), s[0].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond), len(s))
}
