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
//   - [Reconciler.Reconcile] makes passes until the plan is empty. Per pass, in this order of
//     precedence: destroy what is failed; wait (with a backoff.Policy) for what is pending;
//     destroy what the steps plan, in parallel, retrying while a round makes progress; create
//     what the steps plan, in parallel, and wait until it is ready. A created resource that
//     ends failed is destroyed and created again, up to a limit.
//   - Everything is bounded: parallelism, each wait (a backoff.Policy), the number of failures
//     per resource, and a total budget. Reconcile converges or returns an error that says why:
//     a [*StuckError] (matching [ErrNoProgress], [ErrNotReady] or [ErrReplaceLimit]) naming the
//     resources, a [*StepError], or a *backoff.ExhaustedError (matching backoff.ErrExhausted and
//     [ErrBudgetExhausted] or the context's cause). An engine error marked backoff.Permanent
//     stops it at once.
//   - A second Reconcile on a converged system observes once and makes no engine call.
//   - The reconciler does not log: hooks ([OnCreate], [OnDestroy], [OnWait], [OnPass]) report
//     each call, wait and pass. NewReconciler starts nothing; Reconcile blocks, runs engine calls
//     on goroutines of its own, and has waited for all of them when it returns.
//   - NewReconciler panics on a nil observer, engine or key function: a programmer error.
//
// Package reconcile/reconciletest has a fake engine for testing code that uses the reconciler.
//
// The keyed work queue and the control loop are documented in queue.go and run.go.
package reconcile
