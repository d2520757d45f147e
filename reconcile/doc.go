// Package reconcile runs a control loop: workers take keys from a work source (the keyed
// [Queue], or a database handing out leases), call one sync path per key, and report how it
// went, with client-go workqueue semantics, per-key backoff and a periodic resync.
//
// This is controller-runtime's reconcile vocabulary: a key is what changed, [Sync] makes the
// world right for it, and its error decides what happens next ([OutcomeOf]). The step
// reconciler that used to share this package lives in reconcile/converge.
//
// The rules:
//
//   - A Queue hands each key to one worker at a time and queues it at most once; a key added
//     while it is processed is processed once more after [Queue.Done]. [Queue.AddAfter] and
//     [Queue.Add] dedupe: the earliest wins, and a key has at most one pending entry (queued
//     or waiting for a time) at any time. The zero Queue is ready to use.
//   - [Queue.Done] applies the sync's [Outcome]: done forgets the key's failures; a failure
//     waits the per-key exponential backoff, which grows with each consecutive failure; a
//     retry-after waits exactly the hint; dropped forgets the key. The queue never gives up on a
//     key by itself: a sync gives up by returning backoff.Permanent.
//   - A sync that succeeded but wants its key again later returns [RequeueAfter]: the key's
//     failures are forgotten and it comes back after the delay (the earliest pending add
//     wins). [Queue.Failures] tells a sync how many times in a row its key has failed, so it
//     can give up with backoff.Permanent.
//   - [Queue.Resync] adds at low priority, so a resync never delays a key added by an event nor
//     cuts a backoff short.
//   - A Queue reports adds, queue latency, work duration and retries to its [QueueHooks], and
//     [Queue.Stats] gives its depth, waiting and in-flight keys and how long they have run:
//     what client-go's workqueue reports to its metrics provider.
//   - The queue holds state only for keys queued, waiting or in flight, so its memory returns to
//     zero when keys stop coming; [WithQueueMaxKeys] bounds how many it holds ([ErrQueueFull]).
//   - [Run] runs N workers over any [Source] (a Queue, or a database handing out leases) and
//     calls one [Sync] per key. [OutcomeOf] is the single rule for what a sync's error means:
//     nil is done; backoff.Permanent drops the key (reported to [Hooks]) and wins over a
//     backoff.RetryAfter hint, which retries after exactly the hint; any other error, a
//     [WithSyncTimeout] expiry included, retries with per-key backoff.
//   - Run blocks until its context ends or the source shuts down (a Get returns [ErrShutdown],
//     or a [ShutDownNotifier] such as the Queue says so), and then ends every wait of its own (a
//     rate-limit token, a Get, the next resync) at once. It returns only after every sync in
//     flight has returned and been reported to the source: an ending context cancels them, a
//     shutdown lets them finish. It does not shut the source down, and the caller owns its
//     goroutine. A rate limit ([WithRateLimit]) bounds how fast keys are taken; a resync
//     ([WithResync]) re-adds every key through the same path. Every option is checked by the
//     compiler: WithResync names the source it resyncs, so its keys must be that source's.
//   - Run recovers no panic: a panic in the Sync, a hook, a resync's list or the Source crashes
//     the program, as a panic on any goroutine does. A sync that panics, or ends its goroutine
//     (runtime.Goexit), is first reported to the source's Done as a retry matching
//     [ErrSyncPanicked], so that its key is not left in flight (a database source records the
//     failure and releases the lease before the program ends).
//
// Package reconcile/reconciletest has a fake work source for testing code that uses Run.
package reconcile
