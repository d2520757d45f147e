// Package runbench compares the whole control loop, reconcile.Run over a reconcile.Queue,
// with the loop most Kubernetes controllers run: controller-runtime's controller (made with
// controller.NewTypedUnmanaged, so no manager and no API server) over its own workqueue, fed
// keys by a source.TypedFunc. Both run 4 workers and a no-op sync over the same distinct keys.
package runbench
