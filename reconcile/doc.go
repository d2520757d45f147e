// Package reconcile drives external systems to a desired state: a step reconciler that
// converges a set of dependent resources, a keyed work queue, and a control loop that runs one
// sync path over a work source.
//
// The step reconciler ([Reconciler], the LBaaS pattern) follows these rules:
//
//   - The caller supplies an [Observer] (what exists now, each resource with a [Phase]), ordered
//     [Step]s that turn what exists into [Changes], and an [Engine] that creates, destroys and
//     refreshes one resource. Resources are of any type R, named by a key function the caller
//     gives [NewReconciler].
//   - Steps see only what was observed. A step that plans creations ends the pass, so a later
//     step never plans a child whose parent is not there yet. [Reconciler.Plan] is one such pass
//     with no change made; its String lists what would be destroyed and created, step by step,
//     in key order.
//   - A pass acts at most once on a key: an observer that lists a key twice, or steps that plan
//     one key twice (in one list, in two steps, or to destroy and to create), make Plan and
//     Reconcile return at once an error matching [ErrDuplicateKey] that names the key (a
//     [*StepError] for a step), with nothing of that pass done.
//   - [Reconciler.Reconcile] makes passes until the plan is empty. Per pass, in this order of
//     precedence: destroy what is failed; wait (with a backoff.Policy) for what it destroyed
//     that is still observed (a system that deletes asynchronously), then observe again; wait
//     (with the same policy) for what is pending; destroy what the steps plan, in parallel,
//     retrying while a round makes progress; create what the steps plan, in parallel, and wait
//     until it is ready. A resource whose Destroy returned nil is not destroyed again by the
//     same call, and the steps do not see it while it is still observed.
//   - A resource the call created that is found failed (by the wait after its create, or by a
//     later pass's observe, once per creation) is destroyed and created again, up to a limit of
//     failures per key that counts across all passes of the call.
//   - Everything is bounded: parallelism, each wait (a backoff.Policy), the number of failures
//     per resource, and a total budget. Reconcile converges or returns an error that says why:
//     a [*StuckError] (matching [ErrNoProgress], [ErrNotReady] or [ErrReplaceLimit]) naming the
//     resources (ErrNoProgress also for destroyed resources still observed when the wait for
//     them gives up), a [*StepError], or a *backoff.ExhaustedError (matching
//     backoff.ErrExhausted and [ErrBudgetExhausted] or the context's cause). An engine or
//     observer error marked backoff.Permanent stops it at once.
//   - A second Reconcile on a converged system observes once and makes no engine call.
//   - The reconciler does not log: hooks ([OnCreate], [OnDestroy], [OnWait], [OnPass]) report
//     each call, wait and pass. A nil hook, there or in [RunHooks], is absent. NewReconciler
//     starts nothing; Reconcile blocks, runs engine calls on goroutines of its own, and has
//     waited for all of them when it returns.
//   - NewReconciler panics on a nil observer, engine or key function: a programmer error.
//   - The reconciler recovers no panic. A panic in what it calls on the caller's goroutine (the
//     Observer, a Step, the key function, OnPass, OnWait) reaches the caller of Reconcile or
//     Plan at a moment when no engine call is in flight, so nothing is left running; a panic
//     in what it calls on its engine goroutines (the Engine's methods, OnCreate, OnDestroy)
//     crashes the program, as a panic on any goroutine does.
//
// The keyed work queue ([Queue]) and the control loop ([Run]) follow these rules:
//
//   - A Queue hands each key to one worker at a time and queues it at most once; a key added
//     while it is processed is processed once more after [Queue.Done]. [Queue.AddAfter] and
//     [Queue.Add] dedupe: the earliest wins, and a key has at most one pending entry (queued
//     or waiting for a time) at any time. The zero Queue is ready to use.
//   - [Queue.Done] applies the sync's [Outcome]: done forgets the key's failures; a failure
//     waits the per-key exponential backoff, which grows with each consecutive failure; a
//     retry-after waits exactly the hint; dropped forgets the key. The queue never gives up on a
//     key by itself: a sync gives up by returning backoff.Permanent.
//   - [Queue.Resync] adds at low priority, so a resync never delays a key added by an event nor
//     cuts a backoff short.
//   - The queue holds state only for keys queued, waiting or in flight, so its memory returns to
//     zero when keys stop coming; [WithQueueMaxKeys] bounds how many it holds ([ErrQueueFull]).
//   - [Run] runs N workers over any [Source] (a Queue, or a database handing out leases) and
//     calls one [Sync] per key. [OutcomeOf] is the single rule for what a sync's error means:
//     nil is done; backoff.Permanent drops the key (reported to [RunHooks]) and wins over a
//     backoff.RetryAfter hint, which retries after exactly the hint; any other error, a
//     [WithSyncTimeout] expiry included, retries with per-key backoff.
//   - Run blocks until its context ends or the source shuts down (a Get returns [ErrShutdown],
//     or a [ShutDownNotifier] such as the Queue says so), and then ends every wait of its own (a
//     rate-limit token, a Get, the next resync) at once. It returns only after every sync in
//     flight has returned and been reported to the source: an ending context cancels them, a
//     shutdown lets them finish. It does not shut the source down, and the caller owns its
//     goroutine. A rate limit ([WithRateLimit]) bounds how fast keys are taken; a resync
//     ([WithResync]) re-adds every key through the same path.
//   - Run recovers no panic: a panic in the Sync, a hook, a resync's list or the Source crashes
//     the program, as a panic on any goroutine does. A sync that panics, or ends its goroutine
//     (runtime.Goexit), is first reported to the source's Done as a retry matching
//     [ErrSyncPanicked], so that its key is not left in flight (a database source records the
//     failure and releases the lease before the program ends).
//
// Package reconcile/reconciletest has a fake engine and a fake work source for testing code
// that uses the reconciler or Run.
package reconcile
