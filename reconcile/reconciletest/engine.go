package reconciletest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/reconcile"
)

// Errors the fake [Engine] returns on its own (injected errors are the test's).
var (
	// ErrExists: Create was called for a key that exists. The reconciler should never do that.
	ErrExists = errors.New("reconciletest: resource exists")
	// ErrNotFound: Refresh was called for a key that does not exist.
	ErrNotFound = errors.New("reconciletest: resource not found")
)

// Engine is a fake system of resources of type R, identified by a key: it is both the
// [reconcile.Observer] and the [reconcile.Engine] of a reconciler under test. Each resource
// follows a [Script] (pending for a number of refreshes or a time, then ready or failed); a
// [Faults] function injects latency and errors per call; every call is recorded. Make one with
// [NewEngine]. An Engine is safe for concurrent use. Its latency is time.Sleep-like waiting on a
// timer, so under testing/synctest it costs no real time.
type Engine[R any] struct {
	key     func(R) string
	latency time.Duration
	faults  Faults
	scripts func(key string, n int) Script

	mu        sync.Mutex
	resources map[string]*resource[R]
	calls     []Call
	perCall   map[callKey]int // how many calls of an op on a key so far, for Faults
	creations map[string]int  // how many times each key was created, for scripts
	byKey     map[string][]Script
}

type resource[R any] struct {
	r         R
	script    Script
	created   time.Time
	refreshes int
}

type callKey struct {
	op  Op
	key string
}

var (
	_ reconcile.Engine[int]   = (*Engine[int])(nil)
	_ reconcile.Observer[int] = (*Engine[int])(nil)
)

// NewEngine returns an empty fake system whose resources are named by key.
func NewEngine[R any](key func(R) string, opts ...EngineOption) *Engine[R] {
	var o engineOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.faults == nil {
		o.faults = func(Op, string, int) Fault { return Fault{} }
	}
	if o.scripts == nil {
		o.scripts = func(string, int) Script { return Script{} }
	}
	return &Engine[R]{key: key, latency: o.latency, faults: o.faults, scripts: o.scripts,
		resources: map[string]*resource[R]{}, perCall: map[callKey]int{},
		creations: map[string]int{}, byKey: map[string][]Script{}}
}

// Script sets the scripts of key's successive creations: the first Create of key follows
// scripts[0], the next scripts[1], and so on, the last one repeating. It overrides
// [WithScripts] for that key.
func (e *Engine[R]) Script(key string, scripts ...Script) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = scripts
}

// Put makes r exist now, following s, as if created before the test; it records no call.
func (e *Engine[R]) Put(r R, s Script) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resources[e.key(r)] = &resource[R]{r: r, script: s, created: time.Now()}
}

// Observe returns every existing resource with its phase now, sorted by key. It does not count
// as a refresh.
func (e *Engine[R]) Observe(ctx context.Context) ([]reconcile.Observed[R], error) {
	return call(ctx, e, OpObserve, "", func() ([]reconcile.Observed[R], error) {
		return e.existing(), nil
	})
}

// Create makes r exist, following the next script for its key, and returns r. It returns
// [ErrExists] if r's key exists.
func (e *Engine[R]) Create(ctx context.Context, r R) (R, error) {
	return call(ctx, e, OpCreate, e.key(r), func() (R, error) {
		k := e.key(r)
		if _, ok := e.resources[k]; ok {
			var zero R
			return zero, ErrExists
		}
		e.resources[k] = &resource[R]{r: r, script: e.nextScript(k), created: time.Now()}
		return r, nil
	})
}

// Destroy removes r. Destroying a resource that does not exist returns nil.
func (e *Engine[R]) Destroy(ctx context.Context, r R) error {
	_, err := call(ctx, e, OpDestroy, e.key(r), func() (struct{}, error) {
		delete(e.resources, e.key(r))
		return struct{}{}, nil
	})
	return err
}

// Refresh returns r's phase now and counts one refresh of it. It returns [ErrNotFound] if r's
// key does not exist.
func (e *Engine[R]) Refresh(ctx context.Context, r R) (reconcile.Phase, error) {
	return call(ctx, e, OpRefresh, e.key(r), func() (reconcile.Phase, error) {
		res, ok := e.resources[e.key(r)]
		if !ok {
			return reconcile.PhasePending, ErrNotFound
		}
		p := res.phase(time.Now())
		res.refreshes++
		return p, nil
	})
}

// Existing returns what [Engine.Observe] would, without latency, fault or record: for a test's
// own checks.
func (e *Engine[R]) Existing() []reconcile.Observed[R] {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.existing()
}

func (e *Engine[R]) nextScript(key string) Script {
	n := e.creations[key]
	e.creations[key]++
	if s := e.byKey[key]; len(s) > 0 {
		return s[min(n, len(s)-1)]
	}
	return e.scripts(key, n)
}

func (e *Engine[R]) existing() []reconcile.Observed[R] {
	now := time.Now()
	out := make([]reconcile.Observed[R], 0, len(e.resources))
	for _, res := range e.resources {
		out = append(out, reconcile.Observed[R]{Resource: res.r, Phase: res.phase(now)})
	}
	slices.SortFunc(out, func(a, b reconcile.Observed[R]) int {
		return strings.Compare(e.key(a.Resource), e.key(b.Resource))
	})
	return out
}
