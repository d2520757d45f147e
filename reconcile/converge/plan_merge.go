package converge

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Same reports whether a and b are the same resource, as a [Reconciler] tells a duplicate it
// merges from a conflict it refuses: by a.Equal(b) if R has a method Equal(R) bool (as
// time.Time has), else by reflect.DeepEqual. An Equal method lets a resource compare only what
// the caller declares (its spec), not what the system fills in; it must be an equivalence.
func Same[R any](a, b R) bool {
	if eq, ok := any(a).(interface{ Equal(R) bool }); ok {
		return eq.Equal(b)
	}
	return reflect.DeepEqual(a, b)
}

// mergeObserved returns observed sorted by key, stably (what the observer listed first stays
// first), with the same resource listed twice in the same phase kept once. Two different
// resources, or one in two phases, under one key are an error matching ErrDuplicateKey.
func (r *Reconciler[R]) mergeObserved(observed []Observed[R]) ([]Observed[R], error) {
	out, dup := mergeRuns(observed, func(o Observed[R]) string { return r.key(o.Resource) },
		func(a, b Observed[R]) bool { return a.Phase == b.Phase && Same(a.Resource, b.Resource) })
	if dup != "" {
		return nil, fmt.Errorf("converge: observe: key %s listed twice, as two different resources: %w", dup, ErrDuplicateKey)
	}
	return out, nil
}

// mergeRuns returns a copy of xs sorted by key, stably, with each run of entries under one
// key kept as its first entry when same says every later one is the same as it; otherwise it
// returns the key of the first run that holds two different entries.
func mergeRuns[T any](xs []T, key func(T) string, same func(a, b T) bool) (merged []T, conflict string) {
	xs = slices.Clone(xs)
	slices.SortStableFunc(xs, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	out := xs[:0]
	for _, x := range xs {
		if n := len(out); n > 0 && key(out[n-1]) == key(x) {
			if !same(out[n-1], x) {
				return nil, key(x)
			}
			continue
		}
		out = append(out, x)
	}
	return out, ""
}

// merger merges what the steps of one pass plan, step after step.
type merger[R any] struct {
	r        *Reconciler[R]
	live     map[string]R          // by key: observed, neither failed nor going
	destroys map[string]planned[R] // by key: the destroys kept so far
}

// planned is a destroy kept in the plan, and the index in Plan.Steps of the step that has it.
type planned[R any] struct {
	res  R
	step int
}

func newMerger[R any](r *Reconciler[R], live []Observed[R]) *merger[R] {
	m := &merger[R]{r: r, live: make(map[string]R, len(live)), destroys: map[string]planned[R]{}}
	for _, o := range live {
		m.live[r.key(o.Resource)] = o.Resource
	}
	return m
}

// add returns the changes of the step about to be appended to p, sorted and merged with what
// p's earlier steps plan: a resource planned twice for the same change is kept once (the first
// planned); a destroy of the same resource as a create is dropped (from an earlier step's
// changes too); a create of the same resource as one observed is dropped. Two different
// resources planned under one key for the same change are an error matching ErrDuplicateKey.
// A destroy and a create of different resources under one key both stay: a replacement.
func (m *merger[R]) add(p *Plan[R], c Changes[R]) (Changes[R], error) {
	step := len(p.Steps)
	destroy, err := m.dedupe("destroy", c.Destroy)
	if err != nil {
		return Changes[R]{}, err
	}
	create, err := m.dedupe("create", c.Create)
	if err != nil {
		return Changes[R]{}, err
	}
	kept := destroy[:0]
	for _, d := range destroy {
		k := m.r.key(d)
		if prev, ok := m.destroys[k]; ok {
			if !Same(prev.res, d) {
				return Changes[R]{}, conflict("destroy", k)
			}
			continue // an earlier step destroys it already
		}
		m.destroys[k] = planned[R]{d, step}
		kept = append(kept, d)
	}
	destroy = kept
	create = slices.DeleteFunc(create, func(cr R) bool {
		k := m.r.key(cr)
		if d, ok := m.destroys[k]; ok && Same(d.res, cr) { // nothing is destroyed that the pass creates
			delete(m.destroys, k)
			if d.step == step {
				destroy = m.without(destroy, k)
			} else {
				p.Steps[d.step].Destroy = m.without(p.Steps[d.step].Destroy, k)
			}
		}
		o, ok := m.live[k]
		return ok && Same(o, cr) // it exists: no change
	})
	return Changes[R]{Create: create, Destroy: destroy}, nil
}

// dedupe returns rs sorted by key (a copy: a step's own slice is never touched), the same
// resource planned twice kept once; two different resources under one key are an error.
func (m *merger[R]) dedupe(op string, rs []R) ([]R, error) {
	out, dup := mergeRuns(rs, m.r.key, Same[R])
	if dup != "" {
		return nil, conflict(op, dup)
	}
	return out, nil
}

// without returns rs without the resource of key k.
func (m *merger[R]) without(rs []R, k string) []R {
	return slices.DeleteFunc(rs, func(res R) bool { return m.r.key(res) == k })
}

func conflict(op, key string) error {
	return fmt.Errorf("key %s planned to %s twice, as two different resources: %w", key, op, ErrDuplicateKey)
}
