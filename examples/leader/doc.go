// Package leader holds two [connctx.Lock]s for [connctx.Leader]: a lease row in PostgreSQL
// ([PGLock]) and a Kubernetes coordination.k8s.io/v1 Lease through client-go's typed client
// ([K8sLock]). cmd/lbaas -replicas runs them in real processes.
//
// What both promise, as [connctx.Lock] asks:
//
//   - Acquire takes the lease if it is free (released or never held), has expired, or is
//     the claimant's, and returns the holder afterwards: a live lease of another identity is
//     returned, not taken.
//   - The fencing token is 1 for the first holder and grows by one whenever the lease is
//     taken by an identity other than its last holder's, or after it was released; it stays
//     the same through renewals and when the holder acquires the live lease it holds.
//   - Renew extends the lease only if it is held with that identity and token, and otherwise
//     returns the holder it found: after a takeover, the new holder.
//   - Release frees the lease only if it is held with that identity and token (the zero
//     Holder is returned), keeping the token, so that another takes it at once with a larger
//     one; a release of a lease another holds changes nothing and returns that holder.
//   - An error another try will not change (the store refused the request: a missing table,
//     a forbidden or invalid request) is [backoff.Permanent]; connection errors, timeouts,
//     and a store that is down or overloaded are not, and the Leader retries them.
//
// [PGLock]:
//
//   - One row of [PGTable] per lease name; each call is one statement, bounded by its
//     context. A statement that timed out may still have been carried out (an Acquire that
//     took the lease, say): the Leader's next call sees it.
//   - The lease expires by the database's clock: Acquire and Renew set the expiry to now()
//     plus the claim's duration, and Acquire takes a lease whose expiry has passed.
//   - [PGLock.CreateTable] may be called by every replica at once.
//
// [K8sLock]:
//
//   - The holder is spec.holderIdentity and the token spec.leaseTransitions. A release
//     clears the holder.
//   - Expiry is judged as client-go's leaderelection judges it: a K8sLock takes another's
//     lease only after it has seen the same record unchanged for spec.leaseDurationSeconds
//     on its own clock since it first saw it; a renewal changes the record and restarts the
//     wait. The claim's duration is written in whole seconds, rounded up.
//   - Every write is conditional on the resourceVersion read before it. A write that loses
//     to another (the API server's 409 Conflict, or AlreadyExists for a create) is not an
//     error: the lease is read again and the holder that won is returned. When that read
//     shows the caller's own holder unchanged, the answer says nothing, and the call fails
//     with [ErrConflict], which is retried.
package leader
