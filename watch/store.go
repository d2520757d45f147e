package watch

import (
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// store is what a resource with a list function knows of the objects it delivered: a key and a
// resourceVersion each ([keys]), or the objects themselves (a [Cache]). The loop applies an
// event to it before the handler sees the event, and restores what it held when the handler
// never acknowledged the event (the resource stopped or gave up on it), so that the store holds
// what the handler acknowledged, plus at most the one event it is being given.
type store interface {
	// version returns the resourceVersion held for k.
	version(k key) (string, bool)
	// each calls fn for every key held, in no order; fn must not call the store.
	each(fn func(k key, rv string))
	// apply records an event for k and returns what k held before, or an error for an object
	// the store cannot hold (not of a Cache's type).
	apply(t apiwatch.EventType, k key, rv string, obj runtime.Object) (prior, error)
	// restore puts back what apply returned.
	restore(p prior)
}

// prior is what a store held for a key before an event was applied: nothing (had false), or a
// resourceVersion and, in a Cache, the object.
type prior struct {
	k   key
	had bool
	rv  string
	obj runtime.Object
}

// keys is the store of a resource without a Cache: key -> last delivered resourceVersion.
type keys map[key]string

func (m keys) version(k key) (string, bool) { rv, ok := m[k]; return rv, ok }

func (m keys) each(fn func(k key, rv string)) {
	for k, rv := range m {
		fn(k, rv)
	}
}

func (m keys) apply(t apiwatch.EventType, k key, rv string, _ runtime.Object) (prior, error) {
	old, had := m[k]
	if t == apiwatch.Deleted {
		delete(m, k)
	} else {
		m[k] = rv
	}
	return prior{k: k, had: had, rv: old}, nil
}

func (m keys) restore(p prior) {
	if p.had {
		m[p.k] = p.rv
	} else {
		delete(m, p.k)
	}
}

// cacheStore is a [Cache] of any type, as [WithCache] keeps it.
type cacheStore interface {
	store
	attach(resource string) error
	detach()
}
