package lbaas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Faults configures what the embedded [Server] does wrong. The zero value is a perfect API that
// provisions instantly.
type Faults struct {
	ProvisionDelay  time.Duration // a created resource is pending this long
	FailRate        float64       // fraction of creates that end in state error
	StuckRate       float64       // fraction of creates that stay pending forever
	ServerErrorRate float64       // fraction of requests answered 503, before doing anything
	SlowRate        float64       // fraction of requests answered only after SlowDelay
	SlowDelay       time.Duration
	Seed            uint64 // seeds the fault draws, so a run can be repeated
}

// Server is an in-memory LBaaS API over HTTP JSON, for the demo and the tests: the resources of
// [Kinds], provisioned asynchronously (pending, then ok or error), tags as separate resources,
// and injected faults. It is an http.Handler; serve it on 127.0.0.1. It starts no goroutine: a
// resource's state is worked out when it is read. Safe for concurrent use.
//
// The API:
//
//	POST   /v1/{kind}         create; 201 with the resource (state pending); 422 if invalid
//	GET    /v1/{kind}/{id}    the resource; 404 if there is none
//	DELETE /v1/{kind}/{id}    destroy it and its tags; 204; 404 if there is none
//	POST   /v1/tags           {"identifier", "tag"}: tag a resource; 201
//	GET    /v1/tags/{tag}     [{"identifier", "kind"}] carrying the tag; 422 if none does
//
// Every request needs "Authorization: Token <token>" when the server has a token.
type Server struct {
	faults Faults
	token  string
	now    func() time.Time

	mux   *http.ServeMux
	mu    sync.Mutex
	rnd   *rand.Rand
	next  int
	res   map[string]*record
	calls map[string]int // "POST /v1/frontend" -> count, for tests
}

type record struct {
	r       Resource
	tags    []string
	created time.Time
	final   State // what pending turns into; pending means stuck
	forced  State // set by SetState or Put; overrides provisioning
}

// NewServer returns an empty API with the given faults; token, if not empty, is required.
func NewServer(f Faults, token string) *Server {
	s := &Server{faults: f, token: token, now: time.Now, rnd: rand.New(rand.NewPCG(f.Seed, f.Seed^0x5eed)),
		mux: http.NewServeMux(), res: map[string]*record{}, calls: map[string]int{}}
	s.mux.HandleFunc("POST /v1/tags", s.tag)
	s.mux.HandleFunc("GET /v1/tags/{tag}", s.listTag)
	s.mux.HandleFunc("POST /v1/{kind}", s.create)
	s.mux.HandleFunc("GET /v1/{kind}/{id}", s.get)
	s.mux.HandleFunc("DELETE /v1/{kind}/{id}", s.destroy)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if s.token != "" && req.Header.Get("Authorization") != "Token "+s.token {
		writeError(w, http.StatusUnauthorized, "missing or wrong token")
		return
	}
	// Read the body before stalling: net/http notices a client that hung up only once the body
	// has been read, and a stalled handler must end when its client gives up.
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if s.draw(s.faults.SlowRate) && !backoff.Sleep(req.Context(), s.faults.SlowDelay) {
		return // the client gave up
	}
	if s.draw(s.faults.ServerErrorRate) {
		writeError(w, http.StatusServiceUnavailable, "injected fault")
		return
	}
	s.mux.ServeHTTP(w, req)
}

func (s *Server) draw(rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < rate
}

func (s *Server) count(req *http.Request, kind string) {
	s.calls[req.Method+" /v1/"+kind]++
}

func (s *Server) create(w http.ResponseWriter, req *http.Request) {
	var r Resource
	if err := json.NewDecoder(req.Body).Decode(&r); err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	r.Kind = Kind(req.PathValue("kind"))
	if err := r.validate(); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkRefs(r); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	s.count(req, string(r.Kind))
	s.next++
	r.Identifier = fmt.Sprintf("%s-%04d", r.Kind, s.next)
	rec := &record{r: r, created: s.now(), final: StateOK}
	switch u := s.rnd.Float64(); {
	case u < s.faults.FailRate:
		rec.final = StateError
	case u < s.faults.FailRate+s.faults.StuckRate:
		rec.final = StatePending
	}
	s.res[r.Identifier] = rec
	writeJSON(w, http.StatusCreated, s.view(rec))
}

// checkRefs makes sure the resources r points to exist. Called with s.mu held.
func (s *Server) checkRefs(r Resource) error {
	for _, ref := range []struct {
		id   string
		kind Kind
	}{{r.LoadBalancer, KindLoadBalancer}, {r.DefaultBackend, KindBackend}, {r.Frontend, KindFrontend}, {r.Backend, KindBackend}} {
		if ref.id == "" {
			continue
		}
		if rec, ok := s.res[ref.id]; !ok || rec.r.Kind != ref.kind {
			return fmt.Errorf("%s %s: no %s %q", r.Kind, r.Name, ref.kind, ref.id)
		}
	}
	return nil
}

// view is the resource as the API shows it now. Called with s.mu held.
func (s *Server) view(rec *record) Resource {
	r := rec.r
	switch {
	case rec.forced != "":
		r.State = rec.forced
	case s.now().Sub(rec.created) >= s.faults.ProvisionDelay:
		r.State = rec.final
	default:
		r.State = StatePending
	}
	return r
}

func (s *Server) lookup(w http.ResponseWriter, req *http.Request) (*record, bool) {
	rec, ok := s.res[req.PathValue("id")]
	if !ok || string(rec.r.Kind) != req.PathValue("kind") {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no %s %q", req.PathValue("kind"), req.PathValue("id")))
		return nil, false
	}
	return rec, true
}

func (s *Server) get(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.lookup(w, req); ok {
		writeJSON(w, http.StatusOK, s.view(rec))
	}
}

func (s *Server) destroy(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.lookup(w, req)
	if !ok {
		return
	}
	s.count(req, string(rec.r.Kind))
	delete(s.res, rec.r.Identifier)
	w.WriteHeader(http.StatusNoContent)
}

// TagRef is one entry of a tag listing.
type TagRef struct {
	Identifier string `json:"identifier"`
	Kind       Kind   `json:"kind"`
}

type tagRequest struct {
	Identifier string `json:"identifier"`
	Tag        string `json:"tag"`
}

func (s *Server) tag(w http.ResponseWriter, req *http.Request) {
	var t tagRequest
	if err := json.NewDecoder(req.Body).Decode(&t); err != nil || t.Tag == "" {
		writeError(w, http.StatusBadRequest, "body must be {\"identifier\", \"tag\"}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.res[t.Identifier]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no resource %q", t.Identifier))
		return
	}
	s.count(req, "tags")
	if !slices.Contains(rec.tags, t.Tag) {
		rec.tags = append(rec.tags, t.Tag)
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) listTag(w http.ResponseWriter, req *http.Request) {
	tag := req.PathValue("tag")
	s.mu.Lock()
	defer s.mu.Unlock()
	var refs []TagRef
	for id, rec := range s.res {
		if slices.Contains(rec.tags, tag) {
			refs = append(refs, TagRef{Identifier: id, Kind: rec.r.Kind})
		}
	}
	if len(refs) == 0 {
		// As in the origin's API: a tag nothing carries does not exist, which is a 422.
		writeError(w, http.StatusUnprocessableEntity, "tag "+strconv.Quote(tag)+" does not exist")
		return
	}
	slices.SortFunc(refs, func(a, b TagRef) int { return strings.Compare(a.Identifier, b.Identifier) })
	writeJSON(w, http.StatusOK, refs)
}

type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails; nothing to do
}
