package watchk8s

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
)

// LeasesPath is where [Leases] serves: the coordination.k8s.io/v1 API group's leases.
const LeasesPath = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"

// Leases serves coordination.k8s.io/v1 Leases (get, create, update) over HTTP, JSON or
// protobuf in and JSON out, with the
// API server's optimistic concurrency, for client-go's typed client and its leaderelection:
//
//   - Every write gives the lease a new resourceVersion, from one counter for the server.
//   - An update must carry the resourceVersion the lease has now: none is 422 Invalid (Leases
//     allow no unconditional update), an older one 409 Conflict; an update of a lease that
//     does not exist is 404 NotFound (no create on update). Either way nothing is written.
//   - A create of a name that exists is 409 AlreadyExists; a get of one that does not, 404.
//   - Errors are metav1.Status bodies with the reason and details the API server gives, so
//     that apierrors.IsConflict and the others recognise them.
//
// Serve it on a loopback httptest.Server, or mount it at [LeasesPath] beside other handlers.
// It is safe for concurrent use; the zero Leases is not ready to use: make one with
// [NewLeases].
type Leases struct {
	mux       *http.ServeMux
	mu        sync.Mutex
	rv        int64
	leases    map[string]*coordinationv1.Lease // by namespace/name
	writes    int
	conflicts int
}

// NewLeases returns a server with no leases.
func NewLeases() *Leases {
	l := &Leases{mux: http.NewServeMux(), leases: map[string]*coordinationv1.Lease{}}
	l.mux.HandleFunc("GET "+LeasesPath+"/{name}", l.get)
	l.mux.HandleFunc("POST "+LeasesPath, l.create)
	l.mux.HandleFunc("PUT "+LeasesPath+"/{name}", l.update)
	return l
}

func (l *Leases) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.mux.ServeHTTP(w, r) }

func (l *Leases) get(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	lease, ok := l.leases[key(r)]
	if ok {
		lease = lease.DeepCopy()
	}
	l.mu.Unlock()
	if !ok {
		writeLeaseStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, r.PathValue("name"), "not found")
		return
	}
	writeLease(w, http.StatusOK, lease)
}

func (l *Leases) create(w http.ResponseWriter, r *http.Request) {
	lease, ok := decodeLease(w, r)
	if !ok {
		return
	}
	name := lease.Name
	if name == "" {
		writeLeaseStatus(w, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, name, "is invalid: metadata.name: Required value: name is required")
		return
	}
	k := r.PathValue("namespace") + "/" + name
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, exists := l.leases[k]; exists {
		writeLeaseStatus(w, http.StatusConflict, metav1.StatusReasonAlreadyExists, name, "already exists")
		return
	}
	lease.Namespace = r.PathValue("namespace")
	lease.UID = types.UID(fmt.Sprintf("lease-%d", l.rv+1))
	lease.CreationTimestamp = metav1.NewTime(time.Now())
	l.store(k, lease)
	writeLease(w, http.StatusCreated, lease)
}

func (l *Leases) update(w http.ResponseWriter, r *http.Request) {
	lease, ok := decodeLease(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if lease.Name != name {
		writeLeaseStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, name,
			fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", lease.Name, name))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old, exists := l.leases[key(r)]
	switch {
	case !exists:
		writeLeaseStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, name, "not found")
	case lease.ResourceVersion == "":
		writeLeaseStatus(w, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, name,
			"is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update")
	case lease.ResourceVersion != old.ResourceVersion:
		l.conflicts++
		writeLeaseStatus(w, http.StatusConflict, metav1.StatusReasonConflict, name,
			"the object has been modified; please apply your changes to the latest version and try again")
	default:
		lease.Namespace, lease.UID, lease.CreationTimestamp = old.Namespace, old.UID, old.CreationTimestamp
		l.store(key(r), lease)
		writeLease(w, http.StatusOK, lease)
	}
}

// store saves lease under k with a new resourceVersion. Called with l.mu held.
func (l *Leases) store(k string, lease *coordinationv1.Lease) {
	l.rv++
	l.writes++
	lease.ResourceVersion = strconv.FormatInt(l.rv, 10)
	lease.TypeMeta = metav1.TypeMeta{Kind: "Lease", APIVersion: "coordination.k8s.io/v1"}
	l.leases[k] = lease.DeepCopy()
}

// Lease returns a copy of the lease namespace/name, or nil.
func (l *Leases) Lease(namespace, name string) *coordinationv1.Lease {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lease, ok := l.leases[namespace+"/"+name]; ok {
		return lease.DeepCopy()
	}
	return nil
}

// Writes returns how many creates and updates were carried out; Conflicts, how many updates
// were refused for a stale resourceVersion.
func (l *Leases) Writes() (writes, conflicts int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes, l.conflicts
}

func key(r *http.Request) string { return r.PathValue("namespace") + "/" + r.PathValue("name") }

// decodeLease reads a Lease in JSON or in Kubernetes' protobuf envelope, as client-go sends
// it by default; answers are JSON, which client-go accepts whatever it sent.
func decodeLease(w http.ResponseWriter, r *http.Request) (*coordinationv1.Lease, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var lease coordinationv1.Lease
	if err == nil {
		_, _, err = scheme.Codecs.UniversalDeserializer().Decode(body, nil, &lease)
	}
	if err != nil {
		writeLeaseStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "the body is not a Lease: "+err.Error())
		return nil, false
	}
	return &lease, true
}

func writeLease(w http.ResponseWriter, code int, lease *coordinationv1.Lease) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(lease)
}

// writeLeaseStatus answers a failure as the API server words it: `leases.coordination.k8s.io
// "name" <what>`, with the group, kind and name in the details.
func writeLeaseStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, name, what string) {
	msg := fmt.Sprintf("leases.coordination.k8s.io %q %s", name, what)
	if reason == metav1.StatusReasonConflict {
		msg = fmt.Sprintf("Operation cannot be fulfilled on leases.coordination.k8s.io %q: %s", name, what)
	}
	st := &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Code: int32(code), Reason: reason, Message: msg,
		Details: &metav1.StatusDetails{Name: name, Group: "coordination.k8s.io", Kind: "leases"}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(st)
}
