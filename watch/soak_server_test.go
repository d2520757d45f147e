package watch_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch/watchtest"
)

const soakNames = 500

// soakServer is an API server's history in memory: event i has resourceVersion i+1. It answers
// watches through a watchtest.Source, failing at random, and lists at its current version.
type soakServer struct {
	mu        sync.Mutex
	n         int // events in the history
	rng       *rand.Rand
	log       []soakEntry
	compacted int      // watches from a version below this get 410
	sent      int      // highest version put in a stream
	from      int      // the version of the last watch call
	covered   [][2]int // (from, listRV]: versions a relist may have folded into its list
	listedAt  int      // the version of the last list answered
	stats     map[string]int
}

type soakEntry struct {
	typ  apiwatch.EventType
	name string
}

func newSoakServer(seed uint64, events int) *soakServer {
	s := &soakServer{n: events, rng: rand.New(rand.NewPCG(seed, 1)), stats: map[string]int{}}
	live := map[string]bool{}
	for range events {
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
		s.compacted = min(s.n, from+1+s.rng.IntN(1000))
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
	to := min(s.n, from+1+s.rng.IntN(500))
	items := make([]watchtest.Item, 0, to-from+2)
	for rv := from + 1; rv <= to; rv++ {
		items = append(items, watchtest.Event(s.log[rv-1].typ, s.object(rv)))
		if s.rng.IntN(500) == 0 {
			items = append(items, watchtest.Bookmark(strconv.Itoa(rv)))
		}
	}
	s.sent = max(s.sent, to)
	if to == s.n {
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
	at := min(s.n, max(s.compacted, s.sent)+s.rng.IntN(2000))
	s.sent = max(s.sent, at)
	s.covered = append(s.covered, [2]int{s.from, at})
	s.listedAt = at
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
