package watch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

const (
	soakEvents = 100_000
	soakNames  = 500
)

// soakServer is an API server's history in memory: event i has resourceVersion i+1. It answers
// watches through a watchtest.Source, failing at random, and lists at its current version.
type soakServer struct {
	mu        sync.Mutex
	rng       *rand.Rand
	log       []soakEntry
	compacted int      // watches from a version below this get 410
	sent      int      // highest version put in a stream
	from      int      // the version of the last watch call
	covered   [][2]int // (from, listRV]: versions a relist may have folded into its list
	stats     map[string]int
}

type soakEntry struct {
	typ  apiwatch.EventType
	name string
}

func newSoakServer(seed uint64) *soakServer {
	s := &soakServer{rng: rand.New(rand.NewPCG(seed, 1)), stats: map[string]int{}}
	live := map[string]bool{}
	for range soakEvents {
		name := "pod-" + strconv.Itoa(s.rng.IntN(soakNames))
		typ := apiwatch.Added
		if live[name] {
			typ = apiwatch.Modified
			if s.rng.IntN(5) == 0 {
				typ = apiwatch.Deleted
			}
		}
		live[name] = typ != apiwatch.Deleted
		s.log = append(s.log, soakEntry{typ, name})
	}
	return s
}

func (s *soakServer) object(rv int) *metav1.PartialObjectMetadata {
	return watchtest.Object("ns", s.log[rv-1].name, strconv.Itoa(rv))
}

// open decides what one Watch call does; the Source calls it with its lock held.
func (s *soakServer) open(_ int, opts metav1.ListOptions) watchtest.Open {
	s.mu.Lock()
	defer s.mu.Unlock()
	from, _ := strconv.Atoi(opts.ResourceVersion)
	s.from = from
	switch r := s.rng.Float64(); {
	case r < 0.03:
		s.stats["open 500"]++
		return watchtest.Fail(apierrors.NewInternalError(errors.New("etcd leader changed")))
	case r < 0.04:
		s.stats["open 429"]++
		return watchtest.Fail(apierrors.NewTooManyRequests("slow down", 1))
	case r < 0.05:
		s.compacted = min(soakEvents, from+1+s.rng.IntN(1000))
	case r < 0.07:
		s.stats["quick close"]++
		return watchtest.Stream(watchtest.Close())
	}
	if from < s.compacted {
		s.stats["410"]++
		return watchtest.Fail(watchtest.GoneError())
	}
	return watchtest.Stream(s.stream(from)...)
}

// stream is a run of events after from, ended by a close, an error event or a 410, or left
// open at the end of the history.
func (s *soakServer) stream(from int) []watchtest.Item {
	to := min(soakEvents, from+1+s.rng.IntN(500))
	items := make([]watchtest.Item, 0, to-from+2)
	for rv := from + 1; rv <= to; rv++ {
		items = append(items, watchtest.Event(s.log[rv-1].typ, s.object(rv)))
		if s.rng.IntN(500) == 0 {
			items = append(items, watchtest.Bookmark(strconv.Itoa(rv)))
		}
	}
	s.sent = max(s.sent, to)
	if to == soakEvents {
		return items // stays open: the end of the history
	}
	switch r := s.rng.Float64(); {
	case r < 0.2:
		s.stats["error event"]++
		return append(items, watchtest.Error(apierrors.NewServiceUnavailable("apiserver restarting")))
	case r < 0.25:
		s.stats["410 mid-stream"]++
		s.compacted = to + 1
		return append(items, watchtest.Gone())
	}
	s.stats["close"]++
	return append(items, watchtest.Close())
}

// list returns the state at a version at least as new as anything sent, failing at random.
func (s *soakServer) list(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rng.IntN(10) == 0 {
		s.stats["list 500"]++
		return nil, "", apierrors.NewInternalError(errors.New("list failed"))
	}
	at := min(soakEvents, max(s.compacted, s.sent)+s.rng.IntN(2000))
	s.sent = max(s.sent, at)
	s.covered = append(s.covered, [2]int{s.from, at})
	s.stats["list"]++
	var objs []runtime.Object
	for _, rv := range s.stateAt(at) {
		objs = append(objs, s.object(rv))
	}
	return objs, strconv.Itoa(at), nil
}

// stateAt returns name -> version of every live object at version at, in name order.
func (s *soakServer) stateAt(at int) map[string]int {
	state := map[string]int{}
	for rv := 1; rv <= at; rv++ {
		if e := s.log[rv-1]; e.typ == apiwatch.Deleted {
			delete(state, e.name)
		} else {
			state[e.name] = rv
		}
	}
	return state
}

// soakHandler keeps the handler's view, fails at random, and checks redelivery.
type soakHandler struct {
	mu       sync.Mutex
	rng      *rand.Rand
	view     map[string]int
	acked    map[string]int // "name@rv" -> times acknowledged
	failed   string         // the event last failed; the next call must be the same
	failures int
	problems []string
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

func synthetic(ev apiwatch.Event) bool { _, ok := ev.Object.(*watch.Tombstone); return ok }

// TestSoakEveryEventOnceInOrderThroughRandomFaults pushes 100,000 events through a source that
// fails at random (open errors, 429s, quick closes, mid-stream closes, error events, 410s at
// open and mid-stream, failed lists) and a handler that fails at random, and checks that every
// event was acknowledged exactly once and in order per object (apart from the ones a relist
// folded into its list), that a failed event was redelivered before anything else, and that
// the handler's final view equals the server's.
func TestSoakEveryEventOnceInOrderThroughRandomFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newSoakServer(42)
		src := watchtest.NewSource()
		src.Then(srv.open)
		h := &soakHandler{rng: rand.New(rand.NewPCG(7, 7)), view: map[string]int{}, acked: map[string]int{}}
		restarts := 0
		w := watch.New(h,
			watch.WithPolicy(backoff.Policy{Initial: 10 * time.Millisecond, Max: time.Second, MaxElapsed: time.Hour}),
			watch.OnRestart(func(watch.Restart) { restarts++ }))
		require.NoError(t, w.Add("pods", src, watch.WithList(srv.list), watch.WithResourceVersion("0")))
		run := start(t, w)
		final := strconv.Itoa(soakEvents)
		for i := 0; w.Status()["pods"].ResourceVersion != final; i++ {
			require.Less(t, i, 100_000, "the watcher did not reach the end of the history")
			time.Sleep(100 * time.Millisecond) // fake time: lets backoff delays pass
		}
		require.NoError(t, run.stop())

		h.mu.Lock()
		defer h.mu.Unlock()
		assert.Empty(t, h.problems[:min(len(h.problems), 20)], "first problems of %d", len(h.problems))
		want := map[string]int{}
		for name, rv := range srv.stateAt(soakEvents) {
			want[name] = rv
		}
		assert.Equal(t, want, h.view, "the handler's final view differs from the server's")
		missing := 0
		for rv := 1; rv <= soakEvents; rv++ {
			n := h.acked[fmt.Sprintf("%s@%d", srv.log[rv-1].name, rv)]
			folded := slices.ContainsFunc(srv.covered, func(c [2]int) bool { return c[0] < rv && rv <= c[1] })
			if n > 1 || (n == 0 && !folded) {
				missing++
			}
		}
		assert.Zero(t, missing, "events acknowledged twice, or lost outside a relist")
		assert.Positive(t, h.failures)
		assert.Positive(t, srv.stats["410"]+srv.stats["410 mid-stream"])
		t.Logf("faults: %v, handler failures: %d, restarts: %d", srv.stats, h.failures, restarts)
	})
}
