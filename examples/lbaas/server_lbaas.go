package lbaas

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// The embedded Engine's LBaaS v1 side.

func (s *Server) handleList(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		filters, err := url.ParseQuery(req.URL.Query().Get("filters"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid filters parameter")
			return
		}
		s.mu.Lock()
		var refs []Ref
		for _, rec := range s.sorted() {
			if rec.r.Kind == k && matches(rec.r, filters) {
				refs = append(refs, Ref{Identifier: rec.r.Identifier, Name: rec.r.Name})
			}
		}
		s.mu.Unlock()
		// As the public mock server: a bare array, cut to the page when a limit is given.
		if p, ok := pageOf(w, req, refs); ok {
			writeJSON(w, http.StatusOK, p.Data)
		}
	}
}

// matches reports whether r passes the listing's filters (load_balancer, frontend, backend).
func matches(r Resource, f url.Values) bool {
	for key, want := range map[string]string{"load_balancer": r.LoadBalancer, "frontend": r.Frontend, "backend": r.Backend} {
		if v := f.Get(key); v != "" && v != want {
			return false
		}
	}
	return true
}

func (s *Server) handleGet(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if rec, ok := s.lookup(w, k, req.PathValue("id")); ok {
			writeJSON(w, http.StatusOK, s.render(rec))
		}
	}
}

func (s *Server) handleCreate(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		r, err := decodeCreate(k, req)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.checkRefs(r); err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		s.count(req, "POST "+string(k))
		var seq uint64
		seq, r.Identifier = s.newID()
		rec := &record{seq: seq, r: r, created: s.now(), final: StateDeployed}
		switch u := s.rnd.Float64(); {
		case u < s.faults.FailRate:
			rec.final = StateDeploymentError
		case u < s.faults.FailRate+s.faults.StuckRate:
			rec.final = StateNewlyCreated
		}
		s.res[r.Identifier] = rec
		out := s.render(rec)
		out.State = StateNewlyCreated // the Engine provisions after it answers
		writeJSON(w, http.StatusOK, out)
	}
}

// decodeCreate reads a create request's body: the fields the Engine expects for k, references
// as identifiers. Unknown fields are refused, so a client that sends the wrong shape hears it.
func decodeCreate(k Kind, req *http.Request) (Resource, error) {
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	r := Resource{Kind: k}
	var err error
	switch k {
	case KindBackend:
		var b backendBody
		err = dec.Decode(&b)
		r.Name, r.HealthCheck, r.Mode, r.LoadBalancer = b.Name, b.HealthCheck, b.Mode, b.LoadBalancer
	case KindFrontend:
		var b frontendBody
		err = dec.Decode(&b)
		r.Name, r.Mode, r.LoadBalancer, r.DefaultBackend = b.Name, b.Mode, b.LoadBalancer, b.DefaultBackend
	case KindBind:
		var b bindBody
		err = dec.Decode(&b)
		r.Name, r.Address, r.Port, r.Frontend = b.Name, b.Address, b.Port, b.Frontend
	case KindServer:
		var b serverBody
		err = dec.Decode(&b)
		r.Name, r.Address, r.Port, r.Check, r.Backend = b.Name, b.IP, b.Port, b.Check, b.Backend
	}
	if err != nil {
		return Resource{}, fmt.Errorf("body: %w", err)
	}
	return r, r.validate()
}

// checkRefs makes sure the resources r points to exist, of the right kinds, a frontend's
// default backend on the frontend's load balancer. Called with s.mu held.
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
	if be, ok := s.res[r.DefaultBackend]; ok && r.Kind == KindFrontend && be.r.LoadBalancer != r.LoadBalancer {
		return fmt.Errorf("frontend %s: backend %q is on another load balancer", r.Name, r.DefaultBackend)
	}
	return nil
}

func (s *Server) handleDestroy(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		rec, ok := s.lookup(w, k, req.PathValue("id"))
		if !ok {
			return
		}
		s.count(req, "DELETE "+string(k))
		delete(s.res, rec.r.Identifier) // children stay, pointing at nothing
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// lookup finds resource id of kind k, or answers 404. Called with s.mu held.
func (s *Server) lookup(w http.ResponseWriter, k Kind, id string) (*record, bool) {
	rec, ok := s.res[id]
	if !ok || rec.r.Kind != k {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no %s %q", k, id))
		return nil, false
	}
	return rec, true
}

// sorted returns the records in the order they were made. Called with s.mu held.
func (s *Server) sorted() []*record {
	recs := make([]*record, 0, len(s.res))
	for _, rec := range s.res {
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b *record) int { return int(a.seq) - int(b.seq) })
	return recs
}

// view is the resource as the Engine shows it now. Called with s.mu held.
func (s *Server) view(rec *record) Resource {
	r := rec.r
	switch {
	case rec.isForced:
		r.State = rec.forced
	case s.now().Sub(rec.created) >= s.faults.ProvisionDelay:
		r.State = rec.final
	default:
		r.State = StateNewlyCreated
	}
	return r
}

// outAnswer is an answer with the fields the Engine adds that the adapter does not read.
type outAnswer struct {
	answer
	SSL                *bool  `json:"ssl,omitempty"`
	CustomerIdentifier string `json:"customer_identifier"`
	ResellerIdentifier string `json:"reseller_identifier"`
	AutomationRules    []Ref  `json:"automation_rules"`
}

// render is the Engine's answer for rec: references nested as {"identifier", "name"}.
// Called with s.mu held.
func (s *Server) render(rec *record) outAnswer {
	r := s.view(rec)
	nest := func(id string) *ref {
		if id == "" {
			return nil
		}
		out := &ref{Identifier: id}
		if p, ok := s.res[id]; ok {
			out.Name = p.r.Name
		}
		return out
	}
	a := answer{Identifier: r.Identifier, Name: r.Name, State: r.State, Mode: r.Mode, HealthCheck: r.HealthCheck,
		LoadBalancer: nest(r.LoadBalancer), DefaultBackend: nest(r.DefaultBackend), Frontend: nest(r.Frontend),
		Backend: nest(r.Backend), Port: r.Port, Check: r.Check}
	out := outAnswer{answer: a, AutomationRules: []Ref{}, CustomerIdentifier: "c0ffee", ResellerIdentifier: "c0ffee"}
	switch r.Kind {
	case KindLoadBalancer:
		out.IPAddress = r.Address
	case KindBind:
		out.Address, out.SSL = r.Address, new(bool)
	case KindServer:
		out.IP = r.Address
	}
	return out
}
