// Package lbaas rebuilds the LBaaS reconciler of anexia's k8s-anexia-ccm on steadfast: for one
// Kubernetes LoadBalancer service it keeps, on one LBaaS load balancer, a backend and a frontend
// per port, a bind per frontend and external IP, and a server per backend and node, all tagged
// with the service's UID so they can be found again.
//
// It speaks Anexia's Engine API as the public definitions describe it (go-anxcloud's
// pkg/apis/lbaas/v1 and pkg/apis/core/v1 and its mock server), re-declared here:
//
//   - LBaaS resources under /api/LBaaS/v1/{backend,frontend,bind,server,loadbalancer}.json,
//     one by /{identifier}; listings paged with page and limit and filtered with
//     filters=load_balancer%3D<id> (frontend, backend for binds and servers).
//   - An answer nests a reference as {"identifier": ..., "name": ...}; a create request names
//     it by its identifier alone. A state is {"id", "title", "type"}: the ids 0 Updating,
//     1 Updated, 2 DeploymentError, 3 Deployed, 4 NewlyCreated; the types 0 error, 1 OK,
//     2 pending. [State.Phase] maps them onto the reconciler's phases as the origin does.
//   - Tags through the core API: the resources carrying a tag, one resource's type and tags,
//     tagging one. The type says which LBaaS kind a tagged resource is.
//   - "Authorization: Token <token>"; errors as {"error": {"message", "code"}}.
//
// The rules of the adapter ([Reconciler]):
//
//   - The load balancer must exist: Reconcile, Plan and Status check it first
//     ([ErrNoLoadBalancer]).
//   - It sees only what carries the service's tag on the service's load balancer: backends and
//     frontends whose load balancer it is, and the binds and servers under them (or whose parent
//     is gone, so they are destroyed). A tagged resource of a type it does not manage is
//     skipped, never fatal.
//   - It never makes a resource twice: a create is not repeated once the Engine may have carried
//     it out ([ErrOutcomeUnknown]); before a create, and after a lost answer, it looks for what
//     such a create left (its name, under its parent, no service's tag) and adopts or destroys
//     it.
//   - Tagging is serialized per [Client], as the origin serializes it.
//   - Resource names end with the service's name suffix, as the origin's do.
//
// The [Client] retries 5xx, 429 (honouring Retry-After) and timeouts with package backoff, but
// not a create that may have happened. [Service] is validated before any API call. [Server] is
// an embedded Engine speaking the same API, provisioning asynchronously, with injected
// [Faults], among them answers lost after the Engine acted.
package lbaas
