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
	observed = slices.Clone(observed)
	slices.SortStableFunc(observed, func(a, b Observed[R]) int {
		return strings.Compare(r.key(a.Resource), r.key(b.Resource))
	})
	out := observed[:0]
	for _, o := range observed {
		if n := len(out); n > 0 && r.key(out[n-1].Resource) == r.key(o.Resource) {
			if o.Phase != out[n-1].Phase || !Same(out[n-1].Resource, o.Resource) {
				return nil, fmt.Errorf("converge: observe: key %s listed twice, as two different resources: %w",
					r.key(o.Resource), ErrDuplicateKey)
			}
			continue
		}
		out = append(out, o)
	}
	return out, nil
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
	rs = m.r.sorted(rs)
	out := rs[:0]
	for _, res := range rs {
		if n := len(out); n > 0 && m.r.key(out[n-1]) == m.r.key(res) {
			if !Same(out[n-1], res) {
				return nil, conflict(op, m.r.key(res))
			}
			continue
		}
		out = append(out, res)
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
