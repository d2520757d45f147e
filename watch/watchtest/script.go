package watchtest

import (
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Item is one step of a scripted stream: an event to send, a delay, or the end of the stream.
// Make Items with [Event], [Added], [Modified], [Deleted], [Bookmark], [InitialEventsEnd],
// [Error], [Gone], [Delay] and [Close].
type Item struct {
	ev    apiwatch.Event
	delay time.Duration
	close bool
}

// Event is an Item that sends an event of type t with obj, as it is (obj may be malformed on
// purpose: nil, without a resourceVersion, of the wrong type).
func Event(t apiwatch.EventType, obj runtime.Object) Item {
	return Item{ev: apiwatch.Event{Type: t, Object: obj}}
}

// Added is Event(watch.Added, obj).
func Added(obj runtime.Object) Item { return Event(apiwatch.Added, obj) }

// Modified is Event(watch.Modified, obj).
func Modified(obj runtime.Object) Item { return Event(apiwatch.Modified, obj) }

// Deleted is Event(watch.Deleted, obj).
func Deleted(obj runtime.Object) Item { return Event(apiwatch.Deleted, obj) }

// Bookmark is a bookmark event at resourceVersion rv, as an API server sends them: an object
// with nothing but the resourceVersion.
func Bookmark(rv string) Item {
	return Event(apiwatch.Bookmark, &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{ResourceVersion: rv}})
}

// InitialEventsEnd is the bookmark at resourceVersion rv that ends a streaming list's initial
// events, as an API server sends it: annotated k8s.io/initial-events-end: "true".
func InitialEventsEnd(rv string) Item {
	return Event(apiwatch.Bookmark, &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		ResourceVersion: rv, Annotations: map[string]string{"k8s.io/initial-events-end": "true"},
	}})
}

// Error is an Error event carrying err's *metav1.Status, as an API server sends a failure
// mid-stream; an err that is not an API error becomes a 500 Internal Error.
func Error(err error) Item {
	return Event(apiwatch.Error, statusOf(err))
}

// Gone is the Error event an API server sends when the watch's resourceVersion is too old:
// a 410 with reason Expired.
func Gone() Item { return Error(GoneError()) }

// GoneError is the 410 Expired error an API server answers to a watch from a resourceVersion
// it no longer has; give it to [Fail] for a 410 at open.
func GoneError() error {
	return apierrors.NewResourceExpired("too old resource version")
}

// Delay is an Item that waits d before the next item (fake time under testing/synctest). The
// stream sends nothing meanwhile, which a handler or an idle timeout sees.
func Delay(d time.Duration) Item { return Item{delay: d} }

// Close is an Item that closes the stream, as a server ending the response does. Items after
// it are not sent. A stream without Close stays open after its last item until it is stopped.
func Close() Item { return Item{close: true} }

// Open is what one Watch call does: fail, or return a stream that plays its items. Make it
// with [Stream] or [Fail].
type Open struct {
	err   error
	items []Item
}

// Stream is an Open that returns a stream playing items in order, each sent only when the
// reader takes it.
func Stream(items ...Item) Open { return Open{items: items} }

// Fail is an Open whose Watch call returns err, as a failed request does.
func Fail(err error) Open { return Open{err: err} }

// Object returns a minimal object with a namespace, a name and a resourceVersion: enough for
// the watch package, which reads nothing else.
func Object(namespace, name, rv string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Namespace: namespace, Name: name, ResourceVersion: rv,
	}}
}

func statusOf(err error) *metav1.Status {
	if s, ok := err.(apierrors.APIStatus); ok {
		st := s.Status()
		return &st
	}
	st := apierrors.NewInternalError(err).Status()
	return &st
}
