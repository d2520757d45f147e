package watch

import (
	"context"

	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Handler handles the events of the resources a [Watcher] watches.
//
// Handle is called for one resource at a time and in order: the next event of that resource is
// read only after Handle returned. Different resources call it concurrently, so a Handler shared
// by several resources must be safe for concurrent use. Bookmarks and error events are never
// passed to it.
//
// ctx is cancelled when the resource stops (its Run ended, it was removed, or another resource
// gave up); the Watcher then waits for Handle to return. Returning:
//   - nil acknowledges the event: the watch resumes after it from now on;
//   - an error makes the Watcher deliver the same event again after the backoff delay, without
//     reading the next one; a [backoff.RetryAfter] hint sets that delay, within the budget;
//   - a [backoff.Permanent] error makes the resource give up at once (reason [ErrPermanent]).
type Handler interface {
	Handle(ctx context.Context, resource string, ev apiwatch.Event) error
}

// HandlerFunc adapts a function to a [Handler].
type HandlerFunc func(ctx context.Context, resource string, ev apiwatch.Event) error

var _ Handler = HandlerFunc(nil)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, resource string, ev apiwatch.Event) error {
	return f(ctx, resource, ev)
}

// Resyncer is implemented by a Handler that wants to know when a resource without a list
// function ([WithList]) restarts from scratch after 410 Gone. Resync is called before the watch
// re-opens from resourceVersion "", after which the server sends an Added event for every
// object that exists; events deleted in between are not seen, so the handler should drop what
// it holds for the resource (or mark it stale and sweep what is not re-added).
//
// Resync is called on the resource's goroutine, like Handle. An error is retried after the
// backoff delay, like a Handle error; a [backoff.Permanent] error gives up.
type Resyncer interface {
	Resync(ctx context.Context, resource string) error
}
