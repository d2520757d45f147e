// Package watch keeps Kubernetes-style watches running across failures, losing no event and
// handing none over twice.
//
// A [Watcher] runs one loop per named resource. A resource is a [Source], the Watch method every
// client-go typed client has (clientset.CoreV1().Pods(ns) is one), and every event goes to one
// [Handler]. apimachinery's watch package is imported here as apiwatch.
//
// The rules:
//
//   - Lifecycle. [New] starts nothing. [Watcher.Add] and [Watcher.Remove] work at any time;
//     Add never blocks. [Watcher.Run] blocks: it returns nil when its context ends, or a
//     [*GiveUpError] when a resource gives up; either way it first cancels every resource and
//     waits for their handlers to return. Stopping never interrupts a running handler: its
//     context is cancelled and it is waited for. Nothing is opened, listed or handed over once
//     a resource's context has ended. Run may be called again; resources resume where they were.
//     With [WithKeepRunning], a resource that gives up stops alone: the others keep watching,
//     [Watcher.Healthy] turns false, and Run returns nil when its context ends.
//   - Initial sync. A resource with a list function ([WithList]) lists first, delivers every
//     object as Added, and watches from the list's resourceVersion, unless [WithResourceVersion]
//     or [WithListed] says where to start. A resource is synced ([Watcher.Synced],
//     [Watcher.WaitSynced], [Status].Synced) once its state has been delivered and a watch
//     is open from there, before any event of that watch: the list's objects after a list,
//     the first open otherwise. A handler that is a [Syncer] is told then, and again after
//     every relist, before the next event; synced stays true once it is.
//   - Streaming list. With [WithStreamingList], a resource that would list opens a watch with
//     SendInitialEvents and ResourceVersionMatch NotOlderThan instead, delivers its objects as
//     a list's, and at the bookmark annotated k8s.io/initial-events-end delivers a Tombstone
//     for each known object it did not send, moves the resume point there and is synced;
//     before that bookmark the resume point does not move, and a stream that ends starts the
//     streaming list over. A server that answers it 400 or 422 is not asked again: the
//     resource lists and watches, in the same attempt.
//   - Order and backpressure. The events of one resource are handled one at a time, in order;
//     the next event is read only after the handler returned. Resources run concurrently. A
//     resource added under the name of one removed whose loop has not returned yet starts only
//     once that loop has returned, so one name's handler never runs twice at once.
//   - Resume. Every watch is opened with AllowWatchBookmarks from the last resourceVersion whose
//     handler returned nil, or the last bookmark. A handler error delivers the same event again
//     after the backoff delay, on the same stream, before anything else is read.
//   - Streams. A stream the server closes is re-opened at once with no backoff. A stream that
//     closes at once having made no progress, right after another one did so (twice in a row
//     or more, nothing else in between), is a failure ([ErrClosedEarly]), retried after the
//     policy's first delay however many came before (a server that is starting closes streams
//     at once; a growing delay would miss its return), within the same budget. With
//     [WithIdleTimeout], a stream with no event or bookmark for that long is re-opened. Every
//     stream the Source returns is stopped exactly once, also one returned with an error.
//   - 410 Gone or Expired, at open or as an error event, relists. With [WithList], the Watcher
//     lists, delivers what is new (Added) or changed (Modified) since the handler saw it, sends a
//     synthetic Deleted with a [*Tombstone] for what it delivered (or was given with [WithListed])
//     that is gone, and watches from the list's version. An object listed twice (same namespace and
//     name) is delivered once, as the last one listed; an object without a resourceVersion is
//     delivered as Modified if it was known. Without a list function, it calls the handler's Resync
//     ([Resyncer]) if it has one and restarts from "", from which the server sends every object as
//     Added again.
//   - 400, 401, 403 and 404 give up at once ([ErrRejected]). A Status's code decides when it is
//     410 or one of these; its reason decides otherwise. So do a [backoff.Permanent] error and
//     a source that breaks the protocol ([ErrMalformed]: an object that is nil or typed-nil or
//     has no metadata, a bookmark without a resourceVersion, an unknown event type, an error
//     event without a Status, a stream with a nil result channel, an object not of the
//     [Cache]'s type). No input makes the package panic, and no version is skipped silently.
//     An object without a resourceVersion (client-go's fake clientset sends only those) is
//     delivered, and the resume point stays where it was.
//   - Cache. With [WithCache], a [Cache] holds the latest object of every key: each event is
//     in it before the handler is given the event, and a relist replaces its content with the
//     list's, the handler given the differences. An event the handler never acknowledged
//     (the resource stopped or gave up first) is taken back out of it.
//   - Backoff. Every other failure is retried with the deadline-bounded backoff of
//     [WithPolicy]. A stream's failures (open errors, error events, list errors, quick closes,
//     relists expired again before any event) share one schedule, which starts over when a
//     stream delivers an event or a bookmark that moves the resume point; a relist delivering
//     its list is no such progress. A handler's (or resyncer's) failures on one event have a
//     schedule of their own, which starts over when it acknowledges. A positive Retry-After
//     from the server (a Status's RetryAfterSeconds) or a handler ([backoff.RetryAfter]) sets
//     the delay if it fits in the remaining budget, and gives up at once if it does not; a
//     zero or negative one is no hint. When the budget is spent the resource gives up with
//     [backoff.ErrDeadline].
//   - Panics. A panic (or runtime.Goexit) in the handler, a resyncer, the source, the list
//     function or a hook, on a resource's goroutine, stops that resource's stream and marks it
//     failed; Run then stops every other resource as when one gives up, and panics on its own
//     goroutine with an error naming the resource, carrying the value and the stack.
//   - Observability. [Watcher.Status] and [Watcher.Healthy] report each resource's state;
//     the [Hooks] set with [WithHooks] (OnRestart, OnRelist, OnGiveUp) report what happened.
//     The package does not log.
//     A [*GiveUpError] reads each of its parts once: resource, reason, last error.
//   - Memory. Without a list function a resource keeps only its resume point. With one it keeps
//     the namespace, name and resourceVersion of every live object it delivered ([WithList]),
//     or, with a [Cache], the cache and nothing else.
//
// New panics on a nil Handler (or one holding a nil pointer or func), a programmer error;
// nothing else panics. Nil options are ignored.
//
// Package watchtest has the scriptable Source this package's tests use.
package watch
