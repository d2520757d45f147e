package lbaas

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The decoders of what the Engine (or a user's service file) sends: arbitrary bytes never
// panic, and what a decoder accepts is what the adapter relies on.

func FuzzDecodeResource(f *testing.F) {
	for _, g := range goldenAnswers {
		f.Add(string(g.kind), []byte(g.json))
	}
	f.Add("bind", []byte(`{"identifier":"b","frontend":"fe","state":null}`))
	f.Add("server", []byte(`{"identifier":"s","port":-1,"backend":{"identifier":7}}`))
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		r, err := decodeResource(Kind(kind), data)
		if err != nil {
			return
		}
		if r.Kind != Kind(kind) || !r.Kind.valid() || r.Identifier == "" {
			t.Fatalf("accepted %+v for kind %q", r, kind)
		}
		_ = r.State.Phase() // defined for every state
		_ = r.String()
	})
}

func FuzzDecodeState(f *testing.F) {
	for _, s := range []string{`{"id":"3","title":"Deployed","type":1}`, `{"id":"4","type":2,"text":"NewlyCreated"}`,
		`"0"`, `null`, `{"id":"9","type":7}`, `{"type":null}`, `{"id":1}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s State
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("%+v does not encode: %v", s, err)
		}
		var s2 State
		if err := json.Unmarshal(again, &s2); err != nil || s2 != s {
			t.Fatalf("round trip changed %+v into %+v (%v)", s, s2, err)
		}
		if s.Phase() != s2.Phase() {
			t.Fatalf("phase changed across a round trip")
		}
	})
}

// FuzzListing feeds a listing page after page (pages separated by a NUL byte) to the listing
// logic: it ends, within the pages given, with each identifier once.
func FuzzListing(f *testing.F) {
	f.Add([]byte(`{"page":1,"limit":1,"total_items":2,"total_pages":2,"data":[{"identifier":"a"}]}` + "\x00" +
		`{"page":2,"limit":1,"total_items":2,"total_pages":2,"data":[{"identifier":"b"}]}`))
	f.Add([]byte(`[{"identifier":"a","name":"x"}]` + "\x00" + `[{"identifier":"a","name":"x"}]`))
	f.Add([]byte(`{"state":"success","messages":[],"data":{"page":1,"total_pages":1,"data":[]}}`))
	f.Add([]byte(`{"data":{"data":{"data":[]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var l listing
		for n, p := range bytes.Split(data, []byte{0}) {
			done, err := l.add(p, n+1)
			if err != nil || done {
				break
			}
		}
		seen := map[string]bool{}
		for _, r := range l.refs {
			if r.Identifier == "" || seen[r.Identifier] {
				t.Fatalf("listing holds %+v twice or without an identifier", r)
			}
			seen[r.Identifier] = true
		}
	})
}

func FuzzDecodeCoreResource(f *testing.F) {
	f.Add([]byte(goldenCoreResource))
	f.Add([]byte(`{"identifier":"x","resource_type":null,"tags":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeCoreResource(data)
		if err != nil {
			return
		}
		if c.Identifier == "" {
			t.Fatalf("accepted %+v without an identifier", c)
		}
		_, _ = c.Kind()
		_ = c.claimed()
	})
}

func FuzzParseService(f *testing.F) {
	f.Add([]byte(`{"uid":"u","load_balancer":"lb","name_suffix":"web.default.prod","ports":[{"name":"http","external":80,"internal":30080}],
		"external_ips":["192.0.2.1","::ffff:192.0.2.2"],"nodes":[{"name":"n","address":"10.0.0.1"}]}`))
	f.Add([]byte(`{"uid":"u"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseService(data)
		if err != nil {
			return
		}
		if s.Validate() != nil {
			t.Fatalf("accepted an invalid service %+v", s)
		}
		for _, st := range s.steps() {
			_, _ = st.Plan(t.Context(), nil)
		}
	})
}

// FuzzServerCreate feeds arbitrary bodies to the embedded Engine's creates: it answers, never
// panics, and only ever stores what validates.
func FuzzServerCreate(f *testing.F) {
	f.Add(uint8(1), []byte(`{"name":"b","mode":"tcp","load_balancer":"LB"}`))
	f.Add(uint8(3), []byte(`{"name":"b","address":"192.0.2.1","port":80,"ssl":false,"frontend":"x"}`))
	f.Add(uint8(4), []byte(`{"name":"s","ip":"1.2.3.4","port":0,"backend":{"identifier":"x"}}`))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		k := Kinds[int(kind)%len(Kinds)]
		s := NewServer(Faults{}, "")
		lb, err := s.Put(Resource{Kind: KindLoadBalancer, Name: "lb"})
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.ReplaceAll(body, []byte("LB"), []byte(lb))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, k.path(), bytes.NewReader(body)))
		if w.Code != http.StatusOK && w.Code < 400 {
			t.Fatalf("answered %d", w.Code)
		}
		for _, r := range s.Resources() {
			if r.Kind != KindLoadBalancer && r.validate() != nil {
				t.Fatalf("stored an invalid %+v", r)
			}
		}
	})
}
