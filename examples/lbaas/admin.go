package lbaas

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The Server's admin side: what a test or the demo does to the Engine behind the reconciler's
// back. None of it is subject to faults or counted as a call.

// Put stores r as an existing resource, Deployed, with the given tags, and returns its
// identifier: a resource someone made earlier, drift, or what a lost create left behind.
func (s *Server) Put(r Resource, tags ...string) (string, error) {
	if r.Kind != KindLoadBalancer {
		if err := r.validate(); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkRefs(r); err != nil {
		return "", err
	}
	return s.put(&record{r: r, final: StateDeployed, forced: StateDeployed, isForced: true}, tags), nil
}

// PutForeign stores a resource of a type the LBaaS adapter does not manage (a virtual machine,
// say: typeID is its core resource_type), with the given tags, and returns its identifier.
func (s *Server) PutForeign(name, typeID, typeName string, tags ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(&record{r: Resource{Name: name}, typeID: typeID, typeName: typeName}, tags)
}

// put stores rec under a new identifier. Called with s.mu held.
func (s *Server) put(rec *record, tags []string) string {
	rec.seq, rec.r.Identifier = s.newID()
	rec.r.State, rec.created = State{}, s.now()
	s.res[rec.r.Identifier] = rec
	for _, t := range tags {
		s.addTag(rec, t)
	}
	return rec.r.Identifier
}

// SetState forces a resource into state st (turn a frontend failed, unstick a pending one).
func (s *Server) SetState(id string, st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.res[id]
	if !ok {
		return fmt.Errorf("no resource %q", id)
	}
	rec.forced, rec.isForced = st, true
	return nil
}

// Resources returns every LBaaS resource as the Engine would show it now, in the order they
// were made.
func (s *Server) Resources() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Resource
	for _, rec := range s.sorted() {
		if rec.r.Kind != "" {
			out = append(out, s.view(rec))
		}
	}
	return out
}

// Tags returns the tags of resource id, sorted.
func (s *Server) Tags(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.res[id]; ok {
		return slices.Sorted(slices.Values(rec.tags))
	}
	return nil
}

// Calls returns how many mutating calls were carried out, by "METHOD kind" ("POST backend",
// "DELETE server", "POST tag"), whether or not their answers reached the client.
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

// Faulted returns how many times each fault struck: "stall", "503", "act then 503",
// "act then hang", "409 tag".
func (s *Server) Faulted() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faulted)
}
