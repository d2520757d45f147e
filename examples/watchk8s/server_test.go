package watchk8s

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// apiServer is a loopback Kubernetes API server for pods in one namespace. Its history is a
// fixed list of events (event i has resourceVersion i+1); a watch from "" or "0" starts at the
// beginning of it. What each watch request does is scripted by its number (faults).
type apiServer struct {
	*httptest.Server
	mu        sync.Mutex
	history   []historyEntry
	compacted int   // watches from below this get 410; lists are at this version or later
	watches   []url // every watch request
	lists     int
	faults    []fault
	leases    *Leases // the coordination.k8s.io/v1 Leases, beside the pods
	// The streaming list (sendInitialEvents=true): refused with 422 when noStreaming is set.
	noStreaming bool
	streamed    int // streaming-list requests answered with a stream
	refused     int // streaming-list requests refused
	listedAt    int // the version of the last list or streaming list's initial events
}

type url struct{ rv, bookmarks string }

type historyEntry struct {
	typ string
	pod string
}

// fault is what one watch request does: send events up to version `to` (0: none), then end.
type fault struct {
	openStatus int // answer this HTTP status with a Status body instead of a stream
	to         int
	end        string // "drop", "timeout", "gone", "" (stay open)
	compactTo  int    // move the compaction point: at open, or before a "gone" end
}

func newAPIServer(events int, faults []fault) *apiServer {
	s := &apiServer{faults: faults, leases: NewLeases()}
	rng := rand.New(rand.NewPCG(1, 2))
	live := map[string]bool{}
	for range events {
		name := "pod-" + strconv.Itoa(rng.IntN(20))
		typ := "ADDED"
		if live[name] {
			typ = "MODIFIED"
			if rng.IntN(4) == 0 {
				typ = "DELETED"
			}
		}
		live[name] = typ != "DELETED"
		s.history = append(s.history, historyEntry{typ, name})
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *apiServer) pod(rv int) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: s.history[rv-1].pod, ResourceVersion: strconv.Itoa(rv)},
	}
}

// stateAt returns the pods that exist at version at: name -> resourceVersion.
func (s *apiServer) stateAt(at int) map[string]int {
	state := map[string]int{}
	for rv := 1; rv <= at; rv++ {
		if e := s.history[rv-1]; e.typ == "DELETED" {
			delete(state, e.pod)
		} else {
			state[e.pod] = rv
		}
	}
	return state
}

func (s *apiServer) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/apis/coordination.k8s.io/") {
		s.leases.ServeHTTP(w, r)
		return
	}
	if r.URL.Path != "/api/v1/namespaces/default/pods" {
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "no such path")
		return
	}
	if r.URL.Query().Get("watch") == "" {
		s.list(w)
		return
	}
	s.watch(w, r)
}

// list answers at the compaction point: the newest version this server admits to having.
func (s *apiServer) list(w http.ResponseWriter) {
	s.mu.Lock()
	s.lists++
	at := s.compacted
	s.listedAt = at
	l := corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: strconv.Itoa(at)}}
	for _, rv := range s.stateAt(at) {
		l.Items = append(l.Items, *s.pod(rv))
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&l)
}

func (s *apiServer) watch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	n := len(s.watches)
	s.watches = append(s.watches, url{q.Get("resourceVersion"), q.Get("allowWatchBookmarks")})
	f := fault{to: len(s.history)}
	if n < len(s.faults) {
		f = s.faults[n]
	}
	if f.end != "gone" { // a mid-stream 410 compacts after the stream's events
		s.compacted = max(s.compacted, f.compactTo)
	}
	compacted := s.compacted
	s.mu.Unlock()
	from, _ := strconv.Atoi(q.Get("resourceVersion"))
	initial := q.Get("sendInitialEvents") == "true"
	switch {
	case initial && s.refuse():
		writeStatus(w, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, "sendInitialEvents is forbidden")
		return
	case f.openStatus != 0:
		writeStatus(w, f.openStatus, "", "scripted failure")
		return
	case initial:
		from = compacted // the initial events are the state at the newest version this server has
	case from < compacted:
		writeStatus(w, http.StatusGone, metav1.StatusReasonExpired, "too old resource version")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	if initial {
		s.sendInitial(w, enc, from)
	}
	for rv := from + 1; rv <= f.to; rv++ {
		s.send(w, enc, s.history[rv-1].typ, s.pod(rv))
	}
	s.end(w, r, enc, f)
}

func (s *apiServer) end(w http.ResponseWriter, r *http.Request, enc *json.Encoder, f fault) {
	switch f.end {
	case "drop":
		panic(http.ErrAbortHandler) // the connection closes mid-response, without the last chunk
	case "timeout":
		select { // a quiet stream, then the server's watch timeout ends it
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
		}
	case "gone":
		s.mu.Lock()
		s.compacted = max(s.compacted, f.compactTo)
		s.mu.Unlock()
		s.send(w, enc, "ERROR", status(http.StatusGone, metav1.StatusReasonExpired, "too old resource version"))
	default:
		if f.to > 0 {
			s.send(w, enc, "BOOKMARK", &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
				ObjectMeta: metav1.ObjectMeta{ResourceVersion: strconv.Itoa(f.to)}})
		}
		<-r.Context().Done()
	}
}

// refuse counts a streaming-list request and reports whether to refuse it.
func (s *apiServer) refuse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noStreaming {
		s.refused++
	} else {
		s.streamed++
	}
	return s.noStreaming
}

// sendInitial sends a streaming list's initial events: every pod at version at as ADDED, then
// the bookmark annotated k8s.io/initial-events-end.
func (s *apiServer) sendInitial(w http.ResponseWriter, enc *json.Encoder, at int) {
	s.mu.Lock()
	state := s.stateAt(at)
	s.listedAt = at
	s.mu.Unlock()
	for _, rv := range state {
		s.send(w, enc, "ADDED", s.pod(rv))
	}
	s.send(w, enc, "BOOKMARK", &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{ResourceVersion: strconv.Itoa(at),
			Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}})
}

// send writes one watch event line and flushes it, as the API server does per event.
func (s *apiServer) send(w http.ResponseWriter, enc *json.Encoder, typ string, obj runtime.Object) {
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	_ = enc.Encode(metav1.WatchEvent{Type: typ, Object: runtime.RawExtension{Raw: raw}})
	w.(http.Flusher).Flush()
}

func status(code int, reason metav1.StatusReason, msg string) *metav1.Status {
	return &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: metav1.StatusFailure, Code: int32(code), Reason: reason, Message: msg}
}

func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(status(code, reason, fmt.Sprintf("%s (%d)", msg, code)))
}
