package convergetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// Errors the fake [Engine] returns on its own (injected errors are the test's).
var (
	// ErrResourceExists: Create was called for a key that exists. The reconciler should never do that.
	ErrResourceExists = errors.New("convergetest: resource exists")
	// ErrResourceNotFound: Refresh was called for a key that does not exist.
	ErrResourceNotFound = errors.New("convergetest: resource not found")
)

// Engine is a fake system of resources of type R, identified by a key: it is both the
// [converge.Observer] and the [converge.Engine] of a reconciler under test. Each resource
// follows a [PhaseScript] (pending for a number of refreshes or a time, then ready or failed);
// an [EngineFaults] function injects latency and errors per call; [Engine.Assign] has the
// system fill in what it chooses on create (an identifier); every call is recorded. Make
// one with [NewEngine]. An Engine is safe for concurrent use and starts no goroutine. Its
// latency waits on a timer, so under testing/synctest it costs no real time.
type Engine[R any] struct {
	key     func(R) string
	latency time.Duration
	scripts func(key string, n int) PhaseScript

	mu        sync.Mutex
	faults    EngineFaults[R]    // nil: no fault
	assign    func(r R, n int) R // nil: a created resource is what was asked
	resources map[string]*resource[R]
	calls     []EngineCall
	perCall   map[callKey]int // how many calls of an op on a key so far, for FaultCall.N
	creations map[string]int  // how many times each key was created, for scripts
	byKey     map[string][]PhaseScript
}

type resource[R any] struct {
	r              R
	script         PhaseScript
	created        time.Time
	refreshes      int
	readyRefreshes int       // refreshes that returned PhaseReady
	goneAt         time.Time // when an asynchronous deletion ends; zero if not deleting
}

type callKey struct {
	op  EngineOp
	key string
}

var (
	_ converge.Engine[int]   = (*Engine[int])(nil)
	_ converge.Observer[int] = (*Engine[int])(nil)
)

// NewEngine returns an empty fake system whose resources are named by key.
func NewEngine[R any](key func(R) string, opts ...EngineOption) *Engine[R] {
	var o engineOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.scripts == nil {
		o.scripts = func(string, int) PhaseScript { return PhaseScript{} }
	}
	return &Engine[R]{key: key, latency: o.latency, scripts: o.scripts,
		resources: map[string]*resource[R]{}, perCall: map[callKey]int{},
		creations: map[string]int{}, byKey: map[string][]PhaseScript{}}
}

// Script sets the scripts of key's successive creations: the first Create of key follows
// scripts[0], the next scripts[1], and so on, the last one repeating. It overrides
// [WithEngineScripts] for that key.
func (e *Engine[R]) Script(key string, scripts ...PhaseScript) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = scripts
}

// InjectFaults makes every later call suffer the fault f decides for it (see [FaultCall]);
// nil injects none, as before the first InjectFaults.
func (e *Engine[R]) InjectFaults(f EngineFaults[R]) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = f
}

// Assign makes Create store and return what fn returns instead of the resource it was asked
// for, as an API that chooses an identifier does: fn gets the resource asked for and how many
// times its key was created before (from 0), and must keep its key (Create panics if not).
// Observe then lists the resource as fn returned it, and Refresh and Destroy address it by
// that value: given a resource that is not the one the engine holds under its key (by
// converge.Same: say, one without the identifier Create returned), Refresh returns
// [ErrResourceNotFound] and Destroy returns nil and destroys nothing, as an API answers an
// identifier it does not know. fn is called with the engine's lock held and must not call
// the engine; nil stores what was asked, as before the first Assign.
func (e *Engine[R]) Assign(fn func(r R, n int) R) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.assign = fn
}

// Put makes r exist now, following s, as if created before the test; it records no call.
func (e *Engine[R]) Put(r R, s PhaseScript) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resources[e.key(r)] = &resource[R]{r: r, script: s, created: time.Now()}
}

// Observe returns every existing resource with its phase now, sorted by key. It does not count
// as a refresh.
func (e *Engine[R]) Observe(ctx context.Context) ([]converge.Observed[R], error) {
	var none R
	return call(ctx, e, OpObserve, "", none, func() ([]converge.Observed[R], error) {
		return e.existing(), nil
	})
}

// Create makes r exist, following the next script for its key, and returns it: r, or what the
// function set with [Engine.Assign] makes of it. It returns [ErrResourceExists] if r's key
// exists.
func (e *Engine[R]) Create(ctx context.Context, r R) (R, error) {
	k := e.key(r)
	return call(ctx, e, OpCreate, k, r, func() (R, error) {
		if _, ok := e.resources[k]; ok {
			var zero R
			return zero, ErrResourceExists
		}
		if e.assign != nil {
			r = e.assign(r, e.creations[k])
			if e.key(r) != k {
				panic("convergetest: the function given to Assign changed the key of " + k)
			}
		}
		e.resources[k] = &resource[R]{r: r, script: e.nextScript(k), created: time.Now()}
		return r, nil
	})
}

// held returns the resource the engine holds under r's key if it is r (by converge.Same);
// e.mu must be held.
func (e *Engine[R]) held(r R) (*resource[R], bool) {
	res, ok := e.resources[e.key(r)]
	if !ok || !converge.Same(res.r, r) {
		return nil, false
	}
	return res, true
}

// Destroy removes r, at once or, if its script says [PhaseScript.DestroyTakes], after that
// long. Destroying a resource that does not exist (or is not the one held under its key, see
// [Engine.Assign]), or is being deleted, returns nil.
func (e *Engine[R]) Destroy(ctx context.Context, r R) error {
	_, err := call(ctx, e, OpDestroy, e.key(r), r, func() (struct{}, error) {
		res, ok := e.held(r)
		switch {
		case !ok || !res.goneAt.IsZero():
		case res.script.DestroyTakes > 0:
			res.goneAt = time.Now().Add(res.script.DestroyTakes)
		default:
			delete(e.resources, e.key(r))
		}
		return struct{}{}, nil
	})
	return err
}

// sweep removes the resources whose asynchronous deletion has ended; e.mu must be held.
func (e *Engine[R]) sweep() {
	now := time.Now()
	for k, res := range e.resources {
		if !res.goneAt.IsZero() && !now.Before(res.goneAt) {
			delete(e.resources, k)
		}
	}
}

// Refresh returns r's phase now and counts one refresh of it. It returns [ErrResourceNotFound] if r's
// key does not exist, or holds another resource than r (see [Engine.Assign]).
func (e *Engine[R]) Refresh(ctx context.Context, r R) (converge.Phase, error) {
	return call(ctx, e, OpRefresh, e.key(r), r, func() (converge.Phase, error) {
		res, ok := e.held(r)
		if !ok {
			return converge.PhasePending, ErrResourceNotFound
		}
		p := res.phase(time.Now())
		res.refreshes++
		if p == converge.PhaseReady {
			res.readyRefreshes++
		}
		return p, nil
	})
}

// Existing returns what [Engine.Observe] would, without latency, fault or record: for a test's
// own checks.
func (e *Engine[R]) Existing() []converge.Observed[R] {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep()
	return e.existing()
}

func (e *Engine[R]) nextScript(key string) PhaseScript {
	n := e.creations[key]
	e.creations[key]++
	if s := e.byKey[key]; len(s) > 0 {
		return s[min(n, len(s)-1)]
	}
	return e.scripts(key, n)
}

func (e *Engine[R]) existing() []converge.Observed[R] {
	now := time.Now()
	out := make([]converge.Observed[R], 0, len(e.resources))
	for _, res := range e.resources {
		out = append(out, converge.Observed[R]{Resource: res.r, Phase: res.phase(now)})
	}
	slices.SortFunc(out, func(a, b converge.Observed[R]) int {
		return strings.Compare(e.key(a.Resource), e.key(b.Resource))
	})
	return out
}
