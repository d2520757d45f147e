package watchetcd_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/examples/watchetcd"
	"github.com/steadfast-go/steadfast/watch"
)

const prefix = "/registry/things/"

// recorder is the handler of the tests: it checks that the watch events after each sync come
// one revision after the other, from the revision the list was at, and records when each
// revision arrived.
type recorder struct {
	lister *lister

	mu       sync.Mutex
	listing  bool  // between the start of a list and the Synced after it
	prev     int64 // the last revision seen on the watch
	syncs    int
	events   int
	deleted  map[string]bool // names of the Tombstones received
	arrived  map[int64]time.Time
	problems []string
}

func newRecorder(l *lister) *recorder {
	return &recorder{lister: l, listing: true, deleted: map[string]bool{}, arrived: map[int64]time.Time{}}
}

func (r *recorder) Handle(_ context.Context, _ string, ev apiwatch.Event) error {
	now := time.Now()
	acc, err := meta.Accessor(ev.Object)
	if err != nil {
		return err
	}
	rv, _ := strconv.ParseInt(acc.GetResourceVersion(), 10, 64)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events++
	if _, ok := ev.Object.(*watch.Tombstone); ok {
		r.deleted[acc.GetName()] = true
	}
	if r.listing {
		return nil
	}
	if rv != r.prev+1 {
		r.problems = append(r.problems, fmt.Sprintf("%s %s at revision %d after %d", ev.Type, acc.GetName(), rv, r.prev))
	}
	r.prev = max(r.prev, rv)
	if _, ok := r.arrived[rv]; !ok {
		r.arrived[rv] = now
	}
	return nil
}

func (r *recorder) Synced(context.Context, string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listing, r.syncs = false, r.syncs+1
	r.prev = r.lister.last()
	return nil
}

func (r *recorder) relisting(watch.Relist) {
	r.mu.Lock()
	r.listing = true
	r.mu.Unlock()
}

func (r *recorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.problems {
		t.Error(p)
	}
}

// seen returns when the handler saw revision rev, or false.
func (r *recorder) seen(rev int64) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.arrived[rev]
	return at, ok
}

// lister wraps the Source's List, remembering the revision of the last list.
type lister struct {
	src *watchetcd.Source
	mu  sync.Mutex
	rev int64
	n   int
}

func (l *lister) List(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
	objs, rv, err := l.src.List(ctx, opts)
	if err == nil {
		l.mu.Lock()
		l.rev, _ = strconv.ParseInt(rv, 10, 64)
		l.n++
		l.mu.Unlock()
	}
	return objs, rv, err
}

func (l *lister) last() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rev
}

func (l *lister) lists() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// content reads etcd's keys under the prefix: name -> value@modRevision, and the revision.
func content(ctx context.Context, t *testing.T, c *clientv3.Client) (map[string]string, int64) {
	t.Helper()
	resp, err := c.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	out := map[string]string{}
	for _, kv := range resp.Kvs {
		out[string(kv.Key[len(prefix):])] = fmt.Sprintf("%s@%d", kv.Value, kv.ModRevision)
	}
	return out, resp.Header.Revision
}

func cached(c *watch.Cache[*corev1.ConfigMap]) map[string]string {
	out := map[string]string{}
	for _, cm := range c.List() {
		out[cm.Name] = cm.Data[watchetcd.ValueKey] + "@" + cm.ResourceVersion
	}
	return out
}

// eventually polls cond every 10ms until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		<-tick.C
	}
}

// writer writes and deletes keys under the prefix, retrying each operation until etcd accepts
// it (an etcd that is down or electing a leader refuses it).
type writer struct {
	t    *testing.T
	c    *clientv3.Client
	n    int
	live map[string]bool
}

// retry runs op with a one-second timeout per try until it succeeds, for at most 30 seconds.
func (w *writer) retry(op func(ctx context.Context) (*etcdserverpb.ResponseHeader, error)) int64 {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		h, err := op(ctx)
		cancel()
		if err == nil {
			return h.Revision
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("etcd refused writes for 30s: %v", err)
		}
	}
}

func (w *writer) put(name, value string) int64 {
	w.t.Helper()
	w.live[name] = true
	return w.retry(func(ctx context.Context) (*etcdserverpb.ResponseHeader, error) {
		r, err := w.c.Put(ctx, prefix+name, value)
		if err != nil {
			return nil, err
		}
		return r.Header, nil
	})
}

func (w *writer) del(name string) int64 {
	w.t.Helper()
	delete(w.live, name)
	return w.retry(func(ctx context.Context) (*etcdserverpb.ResponseHeader, error) {
		r, err := w.c.Delete(ctx, prefix+name)
		if err != nil {
			return nil, err
		}
		return r.Header, nil
	})
}

// step makes one change: a new key, an update, or a delete of a live key, in turn.
func (w *writer) step() {
	w.t.Helper()
	w.n++
	names := slices.Sorted(maps.Keys(w.live))
	switch {
	case w.n%3 == 0 && len(names) > 0:
		w.del(names[w.n%len(names)])
	case w.n%3 == 1 || len(names) == 0:
		w.put(fmt.Sprintf("k%03d", w.n), "v"+strconv.Itoa(w.n))
	default:
		w.put(names[w.n%len(names)], "v"+strconv.Itoa(w.n))
	}
}
