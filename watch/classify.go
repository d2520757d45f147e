package watch

import (
	"errors"
	"net/http"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/backoff"
)

// class is what the error that ended an attempt calls for.
type class int

const (
	classRetry     class = iota // retried after the backoff delay
	classRelist                 // 410: relist, or resync and restart from ""
	classRejected               // 400, 401, 403, 404: give up
	classMalformed              // the source broke the watch protocol: give up
	classPermanent              // a backoff.Permanent error: give up
)

// classify tells what an error that ended an attempt calls for. A Permanent error and a
// malformed stream come first. For an API Status, the code decides when it is 410, 400, 401,
// 403 or 404, and the reason decides otherwise (Expired or Gone; BadRequest, Unauthorized,
// Forbidden or NotFound); any other error is retried.
func classify(err error) class {
	if _, ok := backoff.IsPermanent(err); ok {
		return classPermanent
	}
	if errors.Is(err, ErrMalformed) {
		return classMalformed
	}
	st, ok := statusOf(err)
	if !ok {
		return classRetry
	}
	switch st.Code {
	case http.StatusGone:
		return classRelist
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return classRejected
	}
	switch st.Reason {
	case metav1.StatusReasonExpired, metav1.StatusReasonGone:
		return classRelist
	case metav1.StatusReasonBadRequest, metav1.StatusReasonUnauthorized,
		metav1.StatusReasonForbidden, metav1.StatusReasonNotFound:
		return classRejected
	}
	return classRetry
}

// retryHint returns the delay a handler ([backoff.RetryAfter]) or a server (a Status's
// RetryAfterSeconds, as a 429 or a 500 ServerTimeout carry it) asked for, when it is positive.
// A zero or negative hint is no hint: the backoff's own delay stands.
func retryHint(err error) (time.Duration, bool) {
	if d, ok := backoff.RetryAfterHint(err); ok && d > 0 {
		return d, true
	}
	if st, ok := statusOf(err); ok && st.Details != nil && st.Details.RetryAfterSeconds > 0 {
		return time.Duration(st.Details.RetryAfterSeconds) * time.Second, true
	}
	return 0, false
}

// statusOf returns the Status of the first API error in err's chain.
func statusOf(err error) (metav1.Status, bool) {
	var s apierrors.APIStatus
	if !errors.As(err, &s) || isNil(s) { // a typed-nil *StatusError would panic in Status
		return metav1.Status{}, false
	}
	return s.Status(), true
}

// isNil reports whether v is nil or an interface holding a nil pointer, func, map, channel or
// slice: a value whose methods would likely panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Chan, reflect.Slice,
		reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
