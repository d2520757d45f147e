package watch

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
)

var fuzzPolicy = backoff.Policy{Initial: time.Second, Multiplier: 2, Max: 30 * time.Second,
	Jitter: backoff.NoJitter, MaxElapsed: time.Minute}

// The kinds of object a fuzzed event carries.
const (
	objNone = iota
	objStatus
	objNilStatus
	objMeta
	objNilMeta
	objTombstone
	objUnknown
	objUnstructured
	objUnstructuredStatus
	objKinds
)

// statusIn is the Status a fuzzed event or error carries.
type statusIn struct {
	code       int32
	reason     string
	retryAfter int32
	details    bool
}

func (s statusIn) status() *metav1.Status {
	st := &metav1.Status{Status: metav1.StatusFailure, Code: s.code, Reason: metav1.StatusReason(s.reason)}
	if s.details {
		st.Details = &metav1.StatusDetails{RetryAfterSeconds: s.retryAfter}
	}
	return st
}

func fuzzObject(kind uint8, s statusIn, rv string) runtime.Object {
	switch kind % objKinds {
	case objStatus:
		return s.status()
	case objNilStatus:
		return (*metav1.Status)(nil)
	case objMeta:
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a", ResourceVersion: rv}}
	case objNilMeta:
		return (*metav1.PartialObjectMetadata)(nil)
	case objTombstone:
		return tombstone(key{"", "a/b"}, rv)
	case objUnknown:
		return &runtime.Unknown{Raw: []byte(rv)}
	case objUnstructured:
		return &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"resourceVersion": rv}}}
	case objUnstructuredStatus:
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Status",
			"code": int64(s.code), "reason": s.reason, "details": map[string]any{"retryAfterSeconds": int64(s.retryAfter)}}}
	}
	return nil
}

// wantClass is the rule of the package doc for a Status: the code decides when it is 410 or
// 400, 401, 403, 404; the reason decides otherwise.
func wantClass(code int32, reason string) class {
	switch code {
	case http.StatusGone:
		return classRelist
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return classRejected
	}
	switch metav1.StatusReason(reason) {
	case metav1.StatusReasonExpired, metav1.StatusReasonGone:
		return classRelist
	case metav1.StatusReasonBadRequest, metav1.StatusReasonUnauthorized, metav1.StatusReasonForbidden, metav1.StatusReasonNotFound:
		return classRejected
	}
	return classRetry
}

func newFuzzLoop(t *testing.T) *loop {
	sched, err := backoff.NewSchedule(fuzzPolicy)
	if err != nil {
		t.Fatal(err)
	}
	hsched, _ := backoff.NewSchedule(fuzzPolicy)
	h := HandlerFunc(func(context.Context, string, apiwatch.Event) error { return nil })
	r, err := newResource("pods", SourceFunc(nil), resourceConfig{list: func(context.Context, metav1.ListOptions) ([]runtime.Object, string, error) {
		return nil, "1", nil
	}}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	return &loop{r: r, h: h, cfg: &config{}, sched: sched, hsched: hsched, phase: StateWatching}
}

// FuzzClassifyEvent feeds arbitrary events (any type; a Status of any code, reason and
// Retry-After, with or without details; objects with or without metadata and resourceVersion,
// typed nils) through the reading and the classification of events, and arbitrary hints
// through the retry decision. It checks that nothing panics, that a 410 relists, that 400,
// 401, 403 and 404 give up, that a delay is never negative and that a zero or absent hint
// never shortens the backoff.
func FuzzClassifyEvent(f *testing.F) {
	f.Add("ERROR", uint8(objStatus), int32(410), "Expired", int32(0), true, "", int64(0))
	f.Add("ERROR", uint8(objStatus), int32(500), "ServerTimeout", int32(0), true, "", int64(0))
	f.Add("ERROR", uint8(objStatus), int32(429), "TooManyRequests", int32(7), true, "", int64(0))
	f.Add("ERROR", uint8(objStatus), int32(404), "Expired", int32(-3), true, "", int64(-5))
	f.Add("ERROR", uint8(objNilStatus), int32(0), "", int32(0), false, "", int64(0))
	f.Add("ERROR", uint8(objUnstructuredStatus), int32(403), "Forbidden", int32(2), true, "", int64(0))
	f.Add("ADDED", uint8(objMeta), int32(0), "", int32(0), false, "5", int64(3e9))
	f.Add("BOOKMARK", uint8(objUnstructured), int32(0), "", int32(0), false, "", int64(0))
	f.Add("DELETED", uint8(objNilMeta), int32(0), "", int32(0), false, "1", int64(0))
	f.Add("SURPRISE", uint8(objTombstone), int32(0), "", int32(0), false, "1", int64(0))
	f.Fuzz(func(t *testing.T, typ string, kind uint8, code int32, reason string, retryAfter int32, details bool,
		rv string, hint int64) {
		s := statusIn{code, reason, retryAfter, details}
		ev := apiwatch.Event{Type: apiwatch.EventType(typ), Object: fuzzObject(kind, s, rv)}
		l := newFuzzLoop(t)
		o := l.decide(context.Background(), l.event(context.Background(), ev))
		checkEvent(t, ev, kind%objKinds, s, rv, o)
		checkHint(t, time.Duration(hint), s)
	})
}

func checkEvent(t *testing.T, ev apiwatch.Event, kind uint8, s statusIn, rv string, o outcome) {
	if o.delay < 0 {
		t.Fatalf("negative delay %v", o.delay)
	}
	if o.act == giveUp && o.reason != ErrMalformed && o.reason != ErrRejected && o.reason != backoff.ErrDeadline {
		t.Fatalf("gave up for %v", o.reason)
	}
	malformed := o.act == giveUp && o.reason == ErrMalformed
	switch ev.Type {
	case apiwatch.Added, apiwatch.Modified, apiwatch.Deleted, apiwatch.Bookmark:
		// An object with metadata is delivered, with or without a resourceVersion (client-go's
		// fake clientset sends none); a bookmark must carry one.
		hasMeta := kind == objMeta || kind == objTombstone || kind == objUnstructured || kind == objUnstructuredStatus
		objRV := rv
		if kind == objUnstructuredStatus {
			objRV = "" // it has metadata but no resourceVersion
		}
		valid := hasMeta && (ev.Type != apiwatch.Bookmark || objRV != "")
		if valid != (o.act == reopenNow) || !valid && !malformed {
			t.Fatalf("%s with object kind %d and version %q: %+v", ev.Type, kind, rv, o)
		}
	case apiwatch.Error:
		if kind != objStatus {
			if kind != objUnstructuredStatus && !malformed {
				t.Fatalf("error event with object kind %d: %+v", kind, o)
			}
			return
		}
		checkStatus(t, s, o)
	default:
		if !malformed {
			t.Fatalf("unknown type %q: %+v", ev.Type, o)
		}
	}
}

func checkStatus(t *testing.T, s statusIn, o outcome) {
	switch wantClass(s.code, s.reason) {
	case classRelist:
		if o.act != relistNext || o.delay != 0 {
			t.Fatalf("%+v: a 410 must relist at once: %+v", s, o)
		}
	case classRejected:
		if o.act != giveUp || o.reason != ErrRejected {
			t.Fatalf("%+v: must give up as rejected: %+v", s, o)
		}
	default:
		hinted := s.details && s.retryAfter > 0
		want := fuzzPolicy.Initial
		if hinted {
			want = time.Duration(s.retryAfter) * time.Second
		}
		if !retriedAfter(o, want) {
			t.Fatalf("%+v: want a retry after %v, or a give-up past the budget: %+v", s, want, o)
		}
	}
}

// checkHint checks a handler's RetryAfter hint, alone and around a server's.
func checkHint(t *testing.T, hint time.Duration, s statusIn) {
	for _, inner := range []error{errors.New("busy"), apierrors.FromObject(s.status())} {
		sched, _ := backoff.NewSchedule(fuzzPolicy)
		o := retry(sched, backoff.RetryAfter(hint, inner))
		want := fuzzPolicy.Initial
		if server, ok := retryHint(inner); ok {
			want = server
		}
		if hint > 0 {
			want = hint
		}
		if o.delay < 0 || !retriedAfter(o, want) {
			t.Fatalf("hint %v around %v: want a retry after %v, or a give-up past the budget: %+v", hint, inner, want, o)
		}
	}
}

// retriedAfter reports whether o retries after want, or gives up with ErrDeadline when want
// does not fit in the budget. The budget is counted on the wall clock from the failure, so a
// hint of exactly MaxElapsed may go either way.
func retriedAfter(o outcome, want time.Duration) bool {
	deadline := o.act == giveUp && o.reason == backoff.ErrDeadline
	retried := o.act == reopenAfter && o.delay == want
	switch {
	case want > fuzzPolicy.MaxElapsed:
		return deadline
	case want == fuzzPolicy.MaxElapsed:
		return deadline || retried
	}
	return retried
}
