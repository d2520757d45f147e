package lbaas

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/steadfast-go/steadfast/backoff"
)

// The embedded Engine's core API side: resources of every type, and their tags.

// fakeLoadBalancerType is the resource_type this fake gives load balancers. The real one is
// not in the public definitions the adapter is written from; the adapter never needs it.
const fakeLoadBalancerType = "fa4e10adba1a4cedba1a4ced00000000"

// coreType returns the resource_type identifier and name of rec. Called with s.mu held.
func coreType(rec *record) (string, string) {
	switch {
	case rec.typeID != "":
		return rec.typeID, rec.typeName
	case rec.r.Kind == KindLoadBalancer:
		return fakeLoadBalancerType, "LBaaS LoadBalancer"
	}
	return typeOf(rec.r.Kind), "LBaaS " + strings.ToUpper(string(rec.r.Kind[:1])) + string(rec.r.Kind[1:])
}

func (s *Server) handleTagged(w http.ResponseWriter, req *http.Request) {
	tag := req.URL.Query().Get("tag_name")
	s.mu.Lock()
	var refs []Ref
	for _, rec := range s.sorted() {
		if tag == "" || slices.Contains(rec.tags, tag) {
			refs = append(refs, Ref{Identifier: rec.r.Identifier, Name: rec.r.Name})
		}
	}
	_, known := s.tagIDs[tag]
	s.mu.Unlock()
	if tag != "" && (!known || len(refs) == 0) {
		// As the Engine: a tag nothing carries does not exist, which is a 422.
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("tag %q does not exist", tag))
		return
	}
	if p, ok := pageOf(w, req, refs); ok {
		writeJSON(w, http.StatusOK, p)
	}
}

// coreOut is the core API's answer for one resource.
type coreOut struct {
	Identifier string  `json:"identifier"`
	Name       string  `json:"name"`
	Type       Ref     `json:"resource_type"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
	Tags       []Ref   `json:"tags"`
	Attributes *string `json:"attributes"`
}

func (s *Server) handleCore(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.res[req.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no resource %q", req.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, s.coreView(rec))
}

// coreView is rec as the core API shows it. Called with s.mu held.
func (s *Server) coreView(rec *record) coreOut {
	typeID, typeName := coreType(rec)
	at := rec.created.UTC().Format("2006-01-02 15:04:05")
	out := coreOut{Identifier: rec.r.Identifier, Name: rec.r.Name, Type: Ref{Identifier: typeID, Name: typeName},
		CreatedAt: at, UpdatedAt: at, Tags: []Ref{}}
	for _, t := range rec.tags {
		out.Tags = append(out.Tags, Ref{Identifier: s.tagIDs[t], Name: t})
	}
	return out
}

func (s *Server) handleTag(w http.ResponseWriter, req *http.Request) {
	var body string
	if err := json.NewDecoder(req.Body).Decode(&body); err != nil || body != "" {
		// As the Engine: the body is the JSON string "", and null is refused.
		writeError(w, http.StatusBadRequest, `the body must be the JSON string ""`)
		return
	}
	if !s.startTagging() {
		writeError(w, http.StatusConflict, "another tag operation is in progress")
		return
	}
	defer s.doneTagging()
	if !backoff.Sleep(req.Context(), s.faults.TagDelay) {
		return // the client gave up
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.res[req.PathValue("id")]
	tag := req.PathValue("tag")
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no resource %q", req.PathValue("id")))
	case slices.Contains(rec.tags, tag):
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("resource already tagged with %q", tag))
	default:
		s.count(req, "POST tag")
		s.addTag(rec, tag)
		writeJSON(w, http.StatusOK, s.coreView(rec).Tags)
	}
}

// startTagging counts a tag request in; with TagConflicts it refuses one that overlaps another.
func (s *Server) startTagging() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.TagConflicts && s.tagging > 0 {
		s.faulted["409 tag"]++
		return false
	}
	s.tagging++
	return true
}

func (s *Server) doneTagging() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tagging--
}

// addTag tags rec, making the tag if it is new. Called with s.mu held.
func (s *Server) addTag(rec *record, tag string) {
	if _, ok := s.tagIDs[tag]; !ok {
		_, s.tagIDs[tag] = s.newID()
	}
	rec.tags = append(rec.tags, tag)
}
