package lbaas

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The headers a leader sends with each call (see package examples/leader): who it is, and the
// fencing token of its lease. The [Server] refuses a mutating call whose token is smaller than
// one it has seen.
const (
	FenceHolderHeader = "X-Fence-Holder"
	FenceTokenHeader  = "X-Fence-Token"
)

// Mutation is one mutating call the [Server] was asked to carry out, in the order they were
// carried out (or refused), with the fencing headers it carried.
type Mutation struct {
	Call    string // "POST backend", "DELETE server", "POST tag"
	Holder  string // the X-Fence-Holder header; "" if none
	Token   uint64 // the X-Fence-Token header; 0 if none
	Refused bool   // refused 409 for a token smaller than one seen before; not carried out
	At      time.Time
}

// fence is the largest fencing token seen. A mutating call with that token is carried out
// under the read lock, so that the token cannot grow while it runs, and every call carried
// out after a larger token was seen carries that token or a larger one.
type fence struct {
	mu  sync.RWMutex
	max uint64
}

// act carries out a mutating request, its answer written to out, unless its fencing token is
// smaller than the largest seen: then it is answered 409 on w, recorded as refused, and not
// carried out. A request without the header is not fenced. It reports whether it acted.
func (s *Server) act(w, out http.ResponseWriter, req *http.Request) bool {
	v := req.Header.Get(FenceTokenHeader)
	if v == "" {
		s.mux.ServeHTTP(out, req)
		return true
	}
	tok, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %q is not a number", FenceTokenHeader, v))
		return false
	}
	for {
		s.fence.mu.RLock()
		switch max := s.fence.max; {
		case tok < max:
			s.fence.mu.RUnlock()
			s.mu.Lock()
			s.mutations = append(s.mutations, Mutation{Call: req.Method + " " + callKind(req), Holder: req.Header.Get(FenceHolderHeader),
				Token: tok, Refused: true, At: s.now()})
			s.mu.Unlock()
			writeError(w, http.StatusConflict, fmt.Sprintf("fencing token %d is older than %d", tok, max))
			return false
		case tok == max:
			s.mux.ServeHTTP(out, req)
			s.fence.mu.RUnlock()
			return true
		}
		s.fence.mu.RUnlock()
		s.fence.mu.Lock()
		s.fence.max = max(s.fence.max, tok)
		s.fence.mu.Unlock()
	}
}

// count counts a mutating call carried out and records it. Called with s.mu held.
func (s *Server) count(req *http.Request, call string) {
	s.calls[call]++
	tok, _ := strconv.ParseUint(req.Header.Get(FenceTokenHeader), 10, 64)
	s.mutations = append(s.mutations, Mutation{Call: call, Holder: req.Header.Get(FenceHolderHeader), Token: tok, At: s.now()})
}

// callKind is the kind a refused call was for, as in [Server.Calls]: "tag" or the LBaaS kind.
func callKind(req *http.Request) string {
	if strings.HasPrefix(req.URL.Path, corePath) {
		return "tag"
	}
	for _, k := range Kinds {
		if strings.HasPrefix(req.URL.Path, k.path()) {
			return string(k)
		}
	}
	return req.URL.Path
}

// Mutations returns the record of mutating calls, carried out or refused, oldest first.
func (s *Server) Mutations() []Mutation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mutations)
}
