// Package watch keeps Kubernetes-style watches running across failures, losing no event and
// handing none over twice.
//
// A [Watcher] runs one loop per named resource. A resource is a [Source], the Watch method every
// client-go typed client has (clientset.CoreV1().Pods(ns) is one), and every event goes to one
// [Handler]. apimachinery's watch package is imported here as apiwatch.
//
// The rules:
//
//   - Lifecycle. [New] starts nothing. [Watcher.Add] and [Watcher.Remove] work at any time.
//     [Watcher.Run] blocks: it returns nil when its context ends, or a [*GiveUpError] when a
//     resource gives up; either way it first cancels every resource and waits for their
//     handlers to return. Stopping never interrupts a running handler: its context is cancelled
//     and it is waited for. Run may be called again; resources resume where they were.
//   - Order and backpressure. The events of one resource are handled one at a time, in order;
//     the next event is read only after the handler returned. Resources run concurrently.
//   - Resume. Every watch is opened with AllowWatchBookmarks from the last resourceVersion whose
//     handler returned nil, or the last bookmark. A handler error delivers the same event again
//     after the backoff delay, on the same stream, before anything else is read.
//   - Normal closes. A stream the server closes is re-opened at once with no backoff. A stream
//     that closes at once with no event, twice in a row or more, is a failure ([ErrClosedEarly]).
//     With [WithIdleTimeout], a stream with no event or bookmark for that long is re-opened.
//   - 410 Gone or Expired, at open or as an error event, relists. With [WithList], the Watcher
//     lists, delivers what is new (Added) or changed (Modified) since the handler saw it, sends a
//     synthetic Deleted with a [*Tombstone] for what is gone, and watches from the list's
//     version. Without one, it calls the handler's Resync ([Resyncer]) if it has one and
//     restarts from "", from which the server sends every object as Added again.
//   - 400, 401, 403 and 404 give up at once ([ErrRejected]); so do a [backoff.Permanent] error
//     and a stream that breaks the protocol ([ErrMalformed]: an object without a
//     resourceVersion, an unknown event type, an error event without a Status). Nothing panics
//     and no version is skipped silently.
//   - Every other failure (an open error, an error event, a handler error) is retried with the
//     deadline-bounded backoff of [WithPolicy]; the schedule resets whenever an event arrives.
//     A server's Retry-After, or a handler's [backoff.RetryAfter], sets the delay if it fits in
//     the remaining budget, and gives up at once if it does not. When the budget is spent the
//     resource gives up with [backoff.ErrDeadline].
//   - Observability. [Watcher.Status] and [Watcher.Healthy] report each resource's state;
//     [OnRestart], [OnRelist] and [OnGiveUp] report what happened. The package does not log.
//   - Memory. Without a list function a resource keeps only its resume point. With one it keeps
//     the key and resourceVersion of every live object it delivered (see [WithList]).
//
// New panics on a nil Handler, a programmer error; nothing else panics.
//
// Package watchtest has the scriptable Source this package's tests use.
package watch
