package watchetcd_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/steadfast-go/steadfast/examples/watchetcd"
	"github.com/steadfast-go/steadfast/examples/watchetcd/etcdtest"
	"github.com/steadfast-go/steadfast/watch"
)

// restartLog records a Watcher's OnRestart reports.
type restartLog struct {
	mu sync.Mutex
	rs []watch.Restart
}

func (l *restartLog) hook() watch.Option {
	return watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) {
		l.mu.Lock()
		l.rs = append(l.rs, r)
		l.mu.Unlock()
	}})
}

func (l *restartLog) take() []watch.Restart {
	l.mu.Lock()
	defer l.mu.Unlock()
	rs := l.rs
	l.rs = nil
	return rs
}

func (l *restartLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.rs)
}

// startRetryWatcher runs client-go's RetryWatcher over src from rev until the test ends,
// recording when each revision arrives; an error event fails the test.
func startRetryWatcher(t *testing.T, src *watchetcd.Source, rev int64) *arrivals {
	t.Helper()
	rw, err := watchtools.NewRetryWatcherWithContext(context.Background(), strconv.FormatInt(rev, 10), retryWatcherSource{src})
	if err != nil {
		t.Fatal(err)
	}
	seen := &arrivals{at: map[int64]time.Time{}}
	done := make(chan []string)
	go func() {
		var problems []string
		for ev := range rw.ResultChan() {
			now := time.Now()
			acc, err := meta.Accessor(ev.Object)
			if ev.Type == apiwatch.Error || err != nil {
				problems = append(problems, fmt.Sprintf("RetryWatcher: %s %v", ev.Type, ev.Object))
				continue
			}
			r, _ := strconv.ParseInt(acc.GetResourceVersion(), 10, 64)
			seen.mu.Lock()
			seen.at[r] = now
			seen.mu.Unlock()
		}
		done <- problems
	}()
	t.Cleanup(func() {
		rw.Stop()
		for _, p := range <-done {
			t.Error(p)
		}
	})
	return seen
}

// TestConvergenceAfterQuorumLoss kills one member of two, so that the other has no leader and
// fails every watch at once, until the Watcher's stream has failed three times; then restarts
// it, and measures the time from the cluster accepting a write to each consumer seeing it:
// the Watcher over the Source as it is (no leader closes the stream), the Watcher over the
// Source with WithNoLeaderAsError (kube-apiserver's 500), and RetryWatcher. It asserts that
// each sees every write, and that the first one waits at most the policy's first delay between
// two opens, and re-opens at once only after the stream that was open and the first quick
// close; the figures are logged (go test -v -run TestConvergenceAfterQuorumLoss).
func TestConvergenceAfterQuorumLoss(t *testing.T) {
	ms := etcdtest.StartCluster(t, 2)
	m1, m2 := ms[0], ms[1]
	var closing, erring restartLog
	a := startOn(t, watchetcd.New(m1.Client(), prefix), closing.hook())
	b := startOn(t, watchetcd.New(m1.Client(), prefix, watchetcd.WithNoLeaderAsError()), erring.hook())
	w := &writer{t: t, c: m1.Client(), live: map[string]bool{}}
	rev := w.put("conv", "0")
	rw := startRetryWatcher(t, watchetcd.New(m1.Client(), prefix), rev)
	eventually(t, 30*time.Second, "synced", func() bool { return a.w.Synced() && b.w.Synced() })

	var da, db, dr []time.Duration
	for i := range kills(t) {
		m2.Kill()
		eventually(t, 30*time.Second, "the Watchers' streams fail 3 times", func() bool {
			return closing.len() >= 3 && erring.len() >= 3
		})
		m2.Restart()
		rev := w.put("conv", strconv.Itoa(i+1)) // retried until the cluster has a leader again
		accepted := time.Now()
		var ta, tb, tr time.Time
		eventually(t, 60*time.Second, fmt.Sprintf("every consumer sees revision %d", rev), func() bool {
			var ok1, ok2, ok3 bool
			ta, ok1 = a.rec.seen(rev)
			tb, ok2 = b.rec.seen(rev)
			tr, ok3 = rw.seen(rev)
			return ok1 && ok2 && ok3
		})
		da = append(da, max(ta.Sub(accepted), 0))
		db = append(db, max(tb.Sub(accepted), 0))
		dr = append(dr, max(tr.Sub(accepted), 0))
		var quick []string
		zeros := 0
		for _, r := range closing.take() {
			quick = append(quick, r.Delay.Round(time.Millisecond).String())
			if r.Delay == 0 {
				zeros++
			}
			if r.Delay > 750*time.Millisecond { // backoff's default first delay, 500ms ± 50%
				t.Errorf("the Watcher waited %v (attempt %d) after %v", r.Delay, r.Attempt, r.Err)
			}
		}
		if zeros > 2 { // the close of the stream that was open, and the first quick close
			t.Errorf("%d re-opens at once (%v): a hot loop", zeros, quick)
		}
		var delays []string
		for _, r := range erring.take() {
			if r.Err != nil && !apierrors.IsInternalError(r.Err) {
				t.Errorf("WithNoLeaderAsError: %v, want 500 InternalError", r.Err)
			}
			delays = append(delays, r.Delay.Round(time.Millisecond).String())
		}
		t.Logf("quorum loss %d: revision %d seen after %v (Watcher; its delays %v), %v (Watcher, 500s; its delays %v), %v (RetryWatcher)",
			i+1, rev, da[i].Round(time.Millisecond), quick, db[i].Round(time.Millisecond), delays, dr[i].Round(time.Millisecond))
	}
	t.Logf("Watcher:              %s", summary(da))
	t.Logf("Watcher, 500s:        %s", summary(db))
	t.Logf("RetryWatcher:         %s", summary(dr))
	a.rec.check(t)
	b.rec.check(t)
	if !a.w.Healthy() || !b.w.Healthy() {
		t.Errorf("unhealthy: %v %v", a.w.Status(), b.w.Status())
	}
}
