package lbaas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Server is an in-memory Engine for the demo and the tests: the LBaaS v1 resources of [Kinds]
// and the core API's resources and tags, over the Engine's paths and JSON (see the package
// doc), provisioned asynchronously (NewlyCreated, then Deployed or DeploymentError), with
// injected [Faults]. It is an http.Handler; serve it on 127.0.0.1. It starts no goroutine: a
// resource's state is worked out when it is read. Safe for concurrent use.
//
// The API it serves, for {kind} one of backend, frontend, bind, server (loadbalancer: GET only):
//
//	GET    /api/LBaaS/v1/{kind}.json           [{"identifier", "name"}], ?filters=load_balancer%3D..., page, limit
//	POST   /api/LBaaS/v1/{kind}.json           create: 200 with the resource (NewlyCreated); 422 if invalid
//	GET    /api/LBaaS/v1/{kind}.json/{id}      the resource, references as {"identifier", "name"}; 404
//	DELETE /api/LBaaS/v1/{kind}.json/{id}      destroy it and its tags: 200 {}; 404
//	GET    /api/core/v1/resource.json          ?tag_name=...: paged {"page", ..., "data"}; 422 if no resource has the tag
//	GET    /api/core/v1/resource.json/{id}     {"identifier", "name", "resource_type", "tags": [{"name", "identifier"}]}
//	POST   /api/core/v1/resource.json/{id}/tags/{tag}   body "": tag it, 200; 422 if tagged; 400 for a null body
//
// Errors are {"error": {"message", "code"}}. Every request needs "Authorization: Token <token>"
// when the server has a token. A mutating request that carries [FenceTokenHeader] is refused,
// 409, if its token is smaller than one the server has seen; every mutating call is recorded
// ([Server.Mutations]).
type Server struct {
	faults Faults
	token  string
	now    func() time.Time

	mux       *http.ServeMux
	mu        sync.Mutex
	rnd       *rand.Rand
	seq       uint64
	res       map[string]*record
	tagIDs    map[string]string // tag name -> the tag's identifier
	calls     map[string]int    // "POST backend" -> count of mutating calls carried out
	faulted   map[string]int    // injected faults by name, for tests
	tagging   int               // tag requests being handled, for Faults.TagConflicts
	fence     fence
	mutations []Mutation // the record of mutating calls, see Mutations
}

type record struct {
	seq      uint64
	r        Resource
	typeID   string // core API resource_type; "" for the LBaaS kinds, which know theirs
	typeName string
	tags     []string
	created  time.Time
	final    State // what NewlyCreated turns into; NewlyCreated means stuck
	forced   State // set by SetState or Put; overrides provisioning if isForced
	isForced bool
}

// NewServer returns an empty Engine with the given faults; token, if not empty, is required.
func NewServer(f Faults, token string) *Server {
	s := &Server{faults: f, token: token, now: time.Now, rnd: rand.New(rand.NewPCG(f.Seed, f.Seed^0x5eed)),
		mux: http.NewServeMux(), res: map[string]*record{}, tagIDs: map[string]string{},
		calls: map[string]int{}, faulted: map[string]int{}}
	for _, k := range Kinds {
		s.mux.HandleFunc("GET "+k.path(), s.handleList(k))
		s.mux.HandleFunc("GET "+k.path()+"/{id}", s.handleGet(k))
		if k != KindLoadBalancer {
			s.mux.HandleFunc("POST "+k.path(), s.handleCreate(k))
			s.mux.HandleFunc("DELETE "+k.path()+"/{id}", s.handleDestroy(k))
		}
	}
	s.mux.HandleFunc("GET "+corePath, s.handleTagged)
	s.mux.HandleFunc("GET "+corePath+"/{id}", s.handleCore)
	s.mux.HandleFunc("POST "+corePath+"/{id}/tags/{tag}", s.handleTag)
	return s
}

// ServeHTTP checks the token, injects the faults that strike before the Engine acts (a stall,
// a 503), serves the request, and injects those that strike after (the answer lost).
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
	if s.draw(s.faults.SlowRate, "stall") && !backoff.Sleep(req.Context(), s.faults.SlowDelay) {
		return // the client gave up
	}
	if s.draw(s.faults.ServerErrorRate, "503") {
		writeError(w, http.StatusServiceUnavailable, "injected fault")
		return
	}
	if req.Method == http.MethodGet {
		s.mux.ServeHTTP(w, req)
		return
	}
	switch {
	case s.draw(s.faults.ActThenFailRate, "act then 503"):
		if s.act(w, discard{}, req) {
			writeError(w, http.StatusServiceUnavailable, "injected fault, after acting")
		}
	case s.draw(s.faults.ActThenHangRate, "act then hang"):
		if s.act(w, discard{}, req) {
			backoff.Sleep(req.Context(), s.faults.SlowDelay)
		}
	default:
		s.act(w, w, req)
	}
}

// discard is a ResponseWriter for an answer the fault loses.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// draw reports whether a fault of the given rate strikes, and counts it under name.
func (s *Server) draw(rate float64, name string) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hit := s.rnd.Float64() < rate
	if hit {
		s.faulted[name]++
	}
	return hit
}

// newID returns a fresh identifier shaped like the Engine's: 32 hex digits. Called with s.mu held.
func (s *Server) newID() (uint64, string) {
	s.seq++
	mix := func(x uint64) uint64 { // splitmix64: distinct inputs give distinct outputs
		x += 0x9e3779b97f4a7c15
		x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
		x = (x ^ x>>27) * 0x94d049bb133111eb
		return x ^ x>>31
	}
	return s.seq, fmt.Sprintf("%016x%016x", mix(s.seq^s.faults.Seed<<32), mix(s.seq))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	type detail struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
	}
	writeJSON(w, code, struct {
		Error detail `json:"error"`
	}{detail{msg, code}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails; nothing to do
}
