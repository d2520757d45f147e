// Package voltha is VOLTHA's affinity-router daemon (arouterd) rebuilt on steadfast: it finds
// the core pods, asks the read-write cores which devices they hold, and keeps VOLTHA's
// affinity router (afrouter) configured over gRPC, a connection per core and an affinity per
// device. Pods are watched, not polled; the router connection is supervised, and every session
// starts from a clean slate. It speaks the real services: afrouter.Configuration (package
// afrouterpb) to the router and voltha.VolthaService (package corepb) to the cores, with the
// origin's names ([DefaultNames]) and core counts ([DefaultLayout]).
//
// The rules:
//
//   - What the router should hold is computed, never patched: [Layout.Assign] turns the
//     running cores and their devices into a [Table] (the origin's backends and connections,
//     core groups by name, devices placed by the cores that hold them, sticky slots and
//     affinities, the origin's gates on the number of cores), and [Diff] turns the table the
//     router holds into the one it should hold (a core back with a new IP re-points its slot).
//     Both are pure. A table never loses a connection or an affinity it had: the origin
//     removed none, and the router cannot remove an affinity.
//   - A [Daemon] runs two things, each owning its goroutines: a watch.Watcher over the pods
//     (any watch.Source: clientset.CoreV1().Pods(ns)) and over device discovery
//     ([WithDiscovery], a [Bus] in-process), whose handlers only record what they are told;
//     and connctx.Supervise over the router connection ([DialRouter], with the origin's
//     keepalive). Each session pushes the whole table to the router (it may have restarted
//     empty), then follows changes on a goroutine of its errgroup, pushing only differences:
//     a one-key reconcile.Queue that every change adds to, drained by reconcile.Run, so
//     changes during a push coalesce into one more push.
//     When the connection is lost or a call fails, the session ends, its goroutine is waited
//     for, and the next session starts over. The router's refusal to set a connection to the
//     values it has is not a failure: the next session's full push to a router that kept its
//     configuration succeeds.
//   - Cores are asked for their devices through [Cores] ([CoreAPI]: ListDeviceIds), each call
//     under a timeout. A core that does not answer is still routed to; its devices are asked
//     again under the session queue's backoff ([WithQueryRetry]), until the policy's attempts
//     or time are spent; the next change of the world starts the retries over. A read-write core that comes back at a new address is taken to
//     hold what it held before and, if the Cores are a [Reconciler] ([CoreAPI]:
//     ReconcileDevices), is handed its backend's devices it does not answer with, once.
//   - Nothing is lost to a failure of the Kubernetes API or of a watch: the watcher retries,
//     resumes and relists (package watch); a handler never fails and nothing panics. If the
//     watcher gives up (a 403, a budget spent) the daemon keeps running and turns unhealthy,
//     as it does when the router has been unreachable past its budget ([WithRouterBudget]):
//     [Daemon.Handler] serves /healthz for a liveness probe, and /metrics: Prometheus series
//     (client_golang, fed through examples/promhooks) in the daemon's own [Daemon.Registry].
//   - The daemon logs with log/slog ([WithLogger]); [OnSync] reports every push.
//
// Package volthatest holds the embedded world the demo (command examples/cmd/voltha) and the tests
// run on: an in-process router on loopback and in-process cores, both serving the real
// services, and a cluster on client-go's fake clientset. README.md says what of the origin is
// reproduced, what is not, and how to point the daemon at a real cluster.
package voltha
