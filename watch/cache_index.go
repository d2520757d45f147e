package watch

import "fmt"

// IndexFunc returns the values an object is indexed under: for example a pod's node name, or
// the names of the secrets it mounts. An object may have any number of values, none included.
type IndexFunc[T Object] func(obj T) []string

// WithIndex adds an index named name to a [Cache]: [Cache.ByIndex] then returns the objects
// fn gave a value. fn is called on the resource's goroutine each time an object is stored or
// replaced, and on the object it replaces; it must not block, and a panic in it is treated
// like a panic in the handler (see the package doc). A nil fn, or an empty name, adds nothing.
func WithIndex[T Object](name string, fn IndexFunc[T]) CacheOption[T] {
	return func(c *Cache[T]) {
		if name != "" && fn != nil {
			c.indexes[name] = &index[T]{fn: fn, values: map[string]map[key]struct{}{}}
		}
	}
}

// index is one user-defined index: value -> the keys of the objects fn gave that value.
type index[T Object] struct {
	fn     IndexFunc[T]
	values map[string]map[key]struct{}
}

// ByIndex returns the objects that index name holds under value, in no particular order, or
// [ErrUnknownIndex].
func (c *Cache[T]) ByIndex(name, value string) ([]T, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ix, ok := c.indexes[name]
	if !ok {
		return nil, fmt.Errorf("ByIndex %q: %w", name, ErrUnknownIndex)
	}
	ks := ix.values[value]
	out := make([]T, 0, len(ks))
	for k := range ks {
		out = append(out, c.objs[k.namespace][k.name])
	}
	return out, nil
}

// reindex moves k from old's values (had: there was an old) to o's (put: o is stored); c.mu
// is held.
func (c *Cache[T]) reindex(k key, old T, had bool, o T, put bool) {
	for _, ix := range c.indexes {
		if had {
			for _, v := range ix.fn(old) {
				if ks := ix.values[v]; ks != nil {
					delete(ks, k)
					if len(ks) == 0 {
						delete(ix.values, v)
					}
				}
			}
		}
		if put {
			for _, v := range ix.fn(o) {
				ks := ix.values[v]
				if ks == nil {
					ks = map[key]struct{}{}
					ix.values[v] = ks
				}
				ks[k] = struct{}{}
			}
		}
	}
}
