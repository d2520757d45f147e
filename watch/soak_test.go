package watch_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// soakHandler keeps the handler's view, fails at random, and checks redelivery.
type soakHandler struct {
	mu       sync.Mutex
	rng      *rand.Rand
	view     map[string]int
	acked    map[string]int // "name@rv" -> times acknowledged
	failed   string         // the event last failed; the next call must be the same
	failures int
	problems []string
	srv      *soakServer
	synced   int // Synced calls
}

func (h *soakHandler) Handle(_ context.Context, _ string, ev apiwatch.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := meta.Accessor(ev.Object)
	if err != nil {
		h.problems = append(h.problems, err.Error())
		return nil
	}
	rv, _ := strconv.Atoi(m.GetResourceVersion())
	id := fmt.Sprintf("%s %s@%d", ev.Type, m.GetName(), rv)
	if h.failed != "" && h.failed != id {
		h.problems = append(h.problems, fmt.Sprintf("%s failed, then %s was delivered", h.failed, id))
	}
	if h.rng.IntN(50) == 0 {
		h.failed = id
		h.failures++
		return errors.New("handler hiccup")
	}
	h.failed = ""
	tomb := synthetic(ev)
	if ev.Type == apiwatch.Deleted {
		if last, ok := h.view[m.GetName()]; !ok || (tomb && last != rv) || (!tomb && rv <= last) {
			h.problems = append(h.problems, fmt.Sprintf("%s: bad delete, view had version %d", id, last))
		}
		delete(h.view, m.GetName())
	} else {
		if last, ok := h.view[m.GetName()]; ok && rv <= last {
			h.problems = append(h.problems, fmt.Sprintf("%s: out of order, view had version %d", id, last))
		}
		h.view[m.GetName()] = rv
	}
	if !tomb {
		h.acked[fmt.Sprintf("%s@%d", m.GetName(), rv)]++
	}
	return nil
}

// soakHandlers hands each resource's events to its soakHandler; the map is not written once
// Run runs.
type soakHandlers map[string]*soakHandler

func (hs soakHandlers) Handle(ctx context.Context, resource string, ev apiwatch.Event) error {
	return hs[resource].Handle(ctx, resource, ev)
}

// Synced checks that the handler's view is the state of the last list when it is told (for
// nodes, which starts from version 0, the empty state before it lists at all).
func (hs soakHandlers) Synced(_ context.Context, resource string) error {
	h := hs[resource]
	h.mu.Lock()
	defer h.mu.Unlock()
	h.synced++
	h.srv.mu.Lock()
	want := h.srv.stateAt(h.srv.listedAt)
	h.srv.mu.Unlock()
	if !maps.Equal(want, h.view) {
		h.problems = append(h.problems, fmt.Sprintf("synced with a view of %d objects, the list had %d", len(h.view), len(want)))
	}
	return nil
}

func (h *soakHandler) source() *watchtest.Source {
	src := watchtest.NewSource()
	src.Then(h.srv.open)
	return src
}

func synthetic(ev apiwatch.Event) bool { _, ok := ev.Object.(*watch.Tombstone); return ok }

// TestSoakEveryEventOnceInOrderThroughRandomFaults pushes 100,000 events of one resource, and
// 20,000 of another at the same time, through sources that fail at random (open errors, 429s,
// quick closes, mid-stream closes, error events, 410s at open and mid-stream, failed lists) and
// a handler that fails at random. It checks that every event was acknowledged exactly once and
// in order per object (apart from the ones a relist folded into its list), that a failed event
// was redelivered before anything else, and that the handler's final view equals the server's.
func TestSoakEveryEventOnceInOrderThroughRandomFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		servers := map[string]*soakServer{"pods": newSoakServer(42, 100_000), "nodes": newSoakServer(43, 20_000)}
		handlers := soakHandlers{}
		var restarts atomic.Int64
		cache := watch.NewCache[*metav1.PartialObjectMetadata]()
		w := watch.New(handlers,
			watch.WithPolicy(backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: time.Hour}),
			watch.WithHooks(watch.Hooks{OnRestart: func(watch.Restart) { restarts.Add(1) }}))
		for name, srv := range servers {
			src := watchtest.NewSource()
			src.Then(srv.open)
			handlers[name] = &soakHandler{rng: rand.New(rand.NewPCG(7, uint64(srv.n))), view: map[string]int{}, acked: map[string]int{}, srv: srv}
		}
		// pods starts from its own list, with a cache; nodes from version 0, without one.
		require.NoError(t, w.Add("pods", handlers["pods"].source(), watch.WithList(servers["pods"].list), watch.WithCache(cache)))
		require.NoError(t, w.Add("nodes", handlers["nodes"].source(), watch.WithList(servers["nodes"].list), watch.WithResourceVersion("0")))
		run := start(t, w)
		for i := 0; !soakDone(w, servers); i++ {
			require.Less(t, i, 100_000, "the watcher did not reach the end of the history")
			time.Sleep(100 * time.Millisecond) // fake time: lets backoff delays pass
		}
		require.NoError(t, run.stop())
		for name, srv := range servers {
			checkSoak(t, name, srv, handlers[name])
		}
		cached := map[string]int{}
		for _, o := range cache.List() {
			cached[o.Name], _ = strconv.Atoi(o.ResourceVersion)
		}
		assert.Equal(t, servers["pods"].stateAt(servers["pods"].n), cached, "the cache differs from the server")
		for name, h := range handlers {
			assert.Positive(t, h.synced, "%s was told it synced", name)
			assert.LessOrEqual(t, h.synced, h.srv.stats["list"]+1, "%s: told more often than it listed", name)
		}
		t.Logf("restarts: %d", restarts.Load())
	})
}

func soakDone(w *watch.Watcher, servers map[string]*soakServer) bool {
	st := w.Status()
	for name, srv := range servers {
		if st[name].ResourceVersion != strconv.Itoa(srv.n) {
			return false
		}
	}
	return true
}

func checkSoak(t *testing.T, name string, srv *soakServer, h *soakHandler) {
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Empty(t, h.problems[:min(len(h.problems), 20)], "%s: first problems of %d", name, len(h.problems))
	assert.Equal(t, srv.stateAt(srv.n), h.view, "%s: the handler's final view differs from the server's", name)
	wrong := 0
	for rv := 1; rv <= srv.n; rv++ {
		n := h.acked[fmt.Sprintf("%s@%d", srv.log[rv-1].name, rv)]
		folded := slices.ContainsFunc(srv.covered, func(c [2]int) bool { return c[0] < rv && rv <= c[1] })
		if n > 1 || (n == 0 && !folded) {
			wrong++
		}
	}
	assert.Zero(t, wrong, "%s: events acknowledged twice, or lost outside a relist", name)
	assert.Positive(t, h.failures)
	assert.Positive(t, srv.stats["410"]+srv.stats["410 mid-stream"])
	t.Logf("%s: %d events, faults: %v, handler failures: %d", name, srv.n, srv.stats, h.failures)
}
