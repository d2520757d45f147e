// Package lbaas rebuilds the LBaaS reconciler of anexia's k8s-anexia-ccm on steadfast: for one
// Kubernetes LoadBalancer service it keeps, on one LBaaS load balancer, a backend and a frontend
// per port, a bind per frontend and external IP, and a server per backend and node, all tagged
// with the service's UID so they can be found again.
//
// It holds the resource model ([Resource], [Kind], [State]), an HTTP JSON [Client] for the API
// (5xx, 429 and timeouts retried with package backoff; a tag nothing carries answers 422, which
// means "nothing there"), the [Service] a reconciliation is for (validated before any API call),
// and an embedded API [Server] that provisions asynchronously and injects faults ([Faults]).
package lbaas
