package watch

import (
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Object is what a [Cache] holds: a typed API object with metadata, such as *v1.Pod.
type Object interface {
	runtime.Object
	metav1.Object
}

// ErrUnknownIndex is returned by [Cache.ByIndex] for a name no [WithIndex] gave.
var ErrUnknownIndex = errors.New("watch: unknown index")

// Cache holds the latest object of every key of one resource, as the server has it: give it to
// [Watcher.Add] with [WithCache]. The Watcher updates it before the handler sees each event, so
// a handler, or a reconcile sync started from one, reads a cache that already has the event.
// A relist replaces its content, and the handler is given the differences (see [WithList]).
// An event the handler never acknowledged (the resource stopped or gave up on it) is taken back
// out, so the cache and the handler never disagree about what was delivered.
//
// It keeps one object per key and nothing else, plus the keys of its indexes. The objects it
// returns are shared with it and with every other reader: they must not be modified (copy with
// DeepCopy first). All methods are safe for concurrent use and never block on the Watcher for
// longer than one update. The zero Cache is not usable; make one with [NewCache].
type Cache[T Object] struct {
	mu      sync.RWMutex
	objs    map[string]map[string]T // namespace -> name -> object
	n       int
	indexes map[string]*index[T]

	owner    sync.Mutex // guards attached
	attached string     // the resource it belongs to; "" when none
}

// CacheOption configures a [Cache]; pass options to [NewCache].
type CacheOption[T Object] func(*Cache[T])

// NewCache returns an empty Cache of objects of type T (a pointer type such as *v1.Pod). Nil
// options are ignored.
func NewCache[T Object](opts ...CacheOption[T]) *Cache[T] {
	c := &Cache[T]{objs: map[string]map[string]T{}, indexes: map[string]*index[T]{}}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	return c
}

// Get returns the object named name in namespace ("" for a cluster-scoped object).
func (c *Cache[T]) Get(namespace, name string) (T, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	o, ok := c.objs[namespace][name]
	return o, ok
}

// List returns every object, in no particular order.
func (c *Cache[T]) List() []T {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]T, 0, c.n)
	for _, ns := range c.objs {
		for _, o := range ns {
			out = append(out, o)
		}
	}
	return out
}

// ListNamespace returns every object of namespace, in no particular order.
func (c *Cache[T]) ListNamespace(namespace string) []T {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ns := c.objs[namespace]
	out := make([]T, 0, len(ns))
	for _, o := range ns {
		out = append(out, o)
	}
	return out
}

// Len returns how many objects the cache holds.
func (c *Cache[T]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.n
}

// attach makes c the store of the resource named name, or fails if it belongs to another.
func (c *Cache[T]) attach(name string) error {
	c.owner.Lock()
	defer c.owner.Unlock()
	if c.attached != "" {
		return fmt.Errorf("watch: the Cache is already the cache of resource %q", c.attached)
	}
	c.attached = name
	return nil
}

// detach frees c for another resource.
func (c *Cache[T]) detach() {
	c.owner.Lock()
	c.attached = ""
	c.owner.Unlock()
}

var _ store = (*Cache[*metav1.PartialObjectMetadata])(nil)

func (c *Cache[T]) version(k key) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	o, ok := c.objs[k.namespace][k.name]
	if !ok {
		return "", false
	}
	return o.GetResourceVersion(), true
}

func (c *Cache[T]) each(fn func(k key, rv string)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for ns, objs := range c.objs {
		for name, o := range objs {
			fn(key{ns, name}, o.GetResourceVersion())
		}
	}
}

func (c *Cache[T]) apply(t apiwatch.EventType, k key, _ string, obj runtime.Object) (prior, error) {
	var o T
	if t != apiwatch.Deleted {
		var ok bool
		if o, ok = obj.(T); !ok {
			return prior{}, malformedf("%T %q is not of the cache's type %T", obj, k, o)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, had := c.objs[k.namespace][k.name]
	p := prior{k: k, had: had}
	if had {
		p.obj = old
	}
	if t == apiwatch.Deleted {
		c.remove(k, old, had)
	} else {
		c.put(k, old, had, o)
	}
	return p, nil
}

func (c *Cache[T]) restore(p prior) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, had := c.objs[p.k.namespace][p.k.name]
	if !p.had {
		c.remove(p.k, old, had)
		return
	}
	c.put(p.k, old, had, p.obj.(T)) // apply stored a T there
}

// put stores o under k in place of old (had: there was one); c.mu is held.
func (c *Cache[T]) put(k key, old T, had bool, o T) {
	ns := c.objs[k.namespace]
	if ns == nil {
		ns = map[string]T{}
		c.objs[k.namespace] = ns
	}
	ns[k.name] = o
	if !had {
		c.n++
	}
	c.reindex(k, old, had, o, true)
}

// remove drops k, which holds old if had; c.mu is held.
func (c *Cache[T]) remove(k key, old T, had bool) {
	if !had {
		return
	}
	ns := c.objs[k.namespace]
	delete(ns, k.name)
	if len(ns) == 0 {
		delete(c.objs, k.namespace)
	}
	c.n--
	var zero T
	c.reindex(k, old, had, zero, false)
}
