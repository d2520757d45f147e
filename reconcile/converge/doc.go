// Package converge drives a set of dependent resources in an external system (a load
// balancer's frontends, backends and binds; a cloud's networks and servers) to a desired state
// with a step reconciler: observe what exists, let ordered steps plan what to destroy and
// create, act in parallel, wait until ready, and observe again, until nothing is left to do.
// It is anexia's LBaaS reconciliation made general.
//
// It was the first half of package reconcile, and shares nothing with reconcile's work loop
// (Queue, Run): a sync run by reconcile.Run may call a Reconciler, but neither needs the other.
// The name says what a call does at the call site: converge.New(observer, engine, key, steps)
// builds a Reconciler, and r.Reconcile(ctx) converges or says why not.
//
// The rules:
//
//   - The caller supplies an [Observer] (what exists now, each resource with a [Phase]), ordered
//     [Step]s that turn what exists into [Changes], and an [Engine] that creates, destroys and
//     refreshes one resource. Resources are of any type R, named by a key function the caller
//     gives [New].
//   - Steps see only what was observed. A step that plans creations (what is left of them once
//     merged, below) ends the pass, so a later step never plans a child whose parent is not
//     there yet. [Reconciler.Plan] is one such pass with no change made; its String lists what
//     would be destroyed and created, step by step, in key order.
//   - A key names one resource, and a pass acts at most once on it. Whether two resources under one
//     key are the same is decided by [Same]: R's Equal method if it has one, else
//     reflect.DeepEqual. The same resource twice is merged into one, the first kept (the first the
//     observer lists, the first planned in step order): listed twice by the observer in one phase,
//     or planned twice for one change (in one list, or in two steps; two consumers declaring one
//     shared parent). Nothing is destroyed that the same pass plans to create: a destroy of the
//     same resource as a create is dropped. A create of the same resource as one observed (ready or
//     pending) is no change: it exists. A destroy and a create of two different resources under one
//     key are a replacement: both stay in the plan, the pass destroys (destroys come before
//     creates), and a later pass, which no longer observes the old one, creates the new one if its
//     steps plan it again. Two different resources under one key otherwise (observed twice, or in
//     two phases; planned twice for one change) make Plan and Reconcile return at once an error
//     matching [ErrDuplicateKey] that names the key (a [*StepError] for a step), with nothing of
//     that pass done.
//   - [Reconciler.Reconcile] makes passes until the plan is empty. Per pass, in this order of
//     precedence: destroy what is failed; wait (with a backoff.Policy) for what it destroyed
//     that is still observed (a system that deletes asynchronously), then observe again; wait
//     (with the same policy) for what is pending; destroy what the steps plan, in parallel,
//     retrying while a round makes progress; create what the steps plan, in parallel, and wait
//     until it is ready. A resource whose Destroy returned nil is not destroyed again by the
//     same call, and the steps do not see it while it is still observed.
//   - A resource the call created that is found failed (by the wait after its create, or by a
//     later pass's observe, once per creation) is destroyed and created again, up to a limit of
//     failures per key that counts across all passes of the call. A failed create call counts
//     too, but for one whose error carries a backoff.RetryAfter hint (an API's 429: it
//     created nothing and said when to come back): that one is no failure of the resource,
//     and the next pass comes no sooner than the hint.
//   - Everything is bounded: parallelism, each wait (a backoff.Policy), the number of failures
//     per resource, and a total budget. Reconcile converges or returns an error that says why:
//     a [*StuckError] (matching [ErrNoProgress], [ErrNotReady] or [ErrReplaceLimit]) naming the
//     resources (ErrNoProgress also for destroyed resources still observed when the wait for
//     them gives up), a [*StepError], or a *backoff.ExhaustedError (matching
//     backoff.ErrExhausted and [ErrBudgetExhausted] or the context's cause). An engine or
//     observer error marked backoff.Permanent stops it at once.
//   - A second Reconcile on a converged system observes once and makes no engine call.
//   - The reconciler does not log: the [Hooks] set with [WithHooks] (OnCreate, OnDestroy, OnWait,
//     OnPass) report each call, wait and pass; a nil hook is absent. New starts nothing; Reconcile
//     blocks, runs engine calls on goroutines of its own, and has waited for all of them when it
//     returns.
//   - New panics on a nil observer, engine or key function: a programmer error.
//   - The reconciler recovers no panic. A panic in what it calls on the caller's goroutine (the
//     Observer, a Step, the key function, R's Equal method, OnPass, OnWait) reaches the caller of
//     Reconcile or Plan at a moment when no engine call is in flight, so nothing is left running; a
//     panic in what it calls on its engine goroutines (the Engine's methods, OnCreate, OnDestroy)
//     crashes the program, as a panic on any goroutine does.
//
// Package reconcile/converge/convergetest has the fake engine this package's tests use, for
// testing code built on the Reconciler.
package converge
