package lbaas

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The Server's admin side: what a test or the demo does to the API behind the reconciler's back.

// Put stores r as an existing resource in state ok (a resource someone made earlier, or drift),
// with the given tags, and returns its identifier. It bypasses faults and counts no call.
func (s *Server) Put(r Resource, tags ...string) (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkRefs(r); err != nil {
		return "", err
	}
	s.next++
	r.Identifier = fmt.Sprintf("%s-%04d", r.Kind, s.next)
	r.State = ""
	s.res[r.Identifier] = &record{r: r, tags: slices.Clone(tags), created: s.now(), final: StateOK, forced: StateOK}
	return r.Identifier, nil
}

// SetState forces a resource into state st (turn a frontend failed, unstick a pending one).
func (s *Server) SetState(id string, st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.res[id]
	if !ok {
		return fmt.Errorf("no resource %q", id)
	}
	rec.forced = st
	return nil
}

// Resources returns every resource as the API would show it now, sorted by identifier.
func (s *Server) Resources() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Resource, 0, len(s.res))
	for _, id := range slices.Sorted(maps.Keys(s.res)) {
		out = append(out, s.view(s.res[id]))
	}
	return out
}

// Calls returns how many mutating calls succeeded, by "METHOD /v1/kind" (creates, destroys, tags).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// MutatingCalls returns the total of [Server.Calls].
func (s *Server) MutatingCalls() int {
	n := 0
	for k, v := range s.Calls() {
		if !strings.HasPrefix(k, "GET ") {
			n += v
		}
	}
	return n
}
