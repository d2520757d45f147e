// Package steadfast is a library of resilient watch-and-reconcile primitives for Go programs that
// watch something (a Kubernetes API, a device, a database) and keep an external system (a load
// balancer API, a dataplane, a router's configuration) equal to what it should be, while the
// network, the peer and their own process fail.
//
// This package holds no code; it documents how the four primitives compose. Each lives in its
// own package:
//
//   - [github.com/steadfast-go/steadfast/backoff]: deadline-bounded, jittered exponential retry.
//     From kuryr-kubernetes' exponential_sleep: retry until a deadline counted from the first
//     failure, the last attempt on the deadline, never after it. Every other package takes a
//     backoff.Policy wherever it waits.
//   - [github.com/steadfast-go/steadfast/watch]: a restartable watcher over k8s.io/apimachinery's watch.Interface that resumes from
//     the last handled resourceVersion, so nothing is lost or delivered twice across restarts.
//     From kuryr-kubernetes' Watcher.
//   - [github.com/steadfast-go/steadfast/connctx]: contexts that end when a connection is lost (gRPC state or a liveness probe), and
//     a supervisor that dials, runs a session, and starts over from a clean slate on loss. From
//     VOLTHA's arouterd and vpp-maglev's VPP connection monitor.
//   - [github.com/steadfast-go/steadfast/reconcile]: a keyed work queue and a control loop that
//     runs one sync path over a work source. From vpp-maglev's sync path and Monogon's BMDB
//     control loops.
//   - [github.com/steadfast-go/steadfast/reconcile/converge]: a step reconciler (observe, plan,
//     destroy, create, wait until ready) for a set of dependent resources. From anexia's LBaaS
//     reconciliation.
//
// How they compose: a watch.Watcher lists and watches each resource into a typed watch.Cache,
// updated before its handler sees an event, and the handler only puts the event's key on a
// reconcile.Queue; reconcile.Run calls one sync function per key, which reads the object from
// the cache (a missing object is a deleted one, so no delete is lost) and makes the external
// system match it. Garbage collection of what the external system has and the cluster does
// not runs when the Watcher says the resource is synced (watch.Syncer, Watcher.WaitSynced),
// never before. The sync talks to the external system through a connection whose lifetime
// context (connctx) cancels in-flight work when the connection is lost; every retry waits
// according to a backoff.Policy. The packages depend on backoff and never on each other; the
// package example wires the pipeline end to end.
// The examples module shows the four origin systems rebuilt this way (examples/voltha,
// examples/vpp, examples/lbaas, examples/bmdb), and each package has a test kit for users'
// own tests: watch/watchtest, connctx/conntest, reconcile/reconciletest and
// reconcile/converge/convergetest.
package steadfast
