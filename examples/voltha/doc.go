// Package voltha is VOLTHA's affinity-router daemon (arouterd) rebuilt on steadfast: it finds
// the core pods, asks the read-write cores which devices they hold, and keeps an affinity
// router (afrouter) configured over gRPC, with a connection per core and an affinity per
// device. Pods are watched, not polled; the router connection is supervised, and every session
// starts from a clean slate.
//
// The rules:
//
//   - What the router should hold is computed, never patched: [Assign] turns the running cores
//     and their devices into a [Table] (core groups paired by name, devices placed by the
//     cores that hold them, read-only cores, sticky slots), and [Diff] turns the table the
//     router holds into the one it should hold (a core back with a new IP re-points its slot).
//     Both are pure.
//   - A [Daemon] runs two things, each owning its goroutines: a watch.Watcher over the pods
//     (any watch.Source: clientset.CoreV1().Pods(ns)) and over device discovery
//     ([WithDiscovery], a [Bus] in-process), whose handlers only record what they are told;
//     and connctx.Supervise over the router connection. Each session pushes the whole table to
//     the router (it may have restarted empty), then follows changes on a goroutine of its
//     errgroup, pushing only differences. When the connection is lost or a call fails, the
//     session ends, its goroutine is waited for, and the next session starts over.
//   - Cores are asked for their devices through [Cores], each call under a timeout. A core that
//     does not answer is still routed to; its devices are asked again under a backoff.
//   - Nothing is lost to a failure of the Kubernetes API or of a watch: the watcher retries,
//     resumes and relists (package watch); a handler never fails and nothing panics. If the
//     watcher gives up (a 403, a budget spent) the daemon keeps running and turns unhealthy,
//     as it does when the router has been unreachable past its budget ([WithRouterBudget]):
//     [Daemon.Handler] serves /healthz for a liveness probe, and /metrics.
//   - The daemon logs with log/slog ([WithLogger]); [OnSync] reports every push.
//
// Package sim holds the embedded world the demo (command examples/cmd/voltha) and the tests
// run on: an in-process router on loopback, in-process cores, and a cluster on client-go's fake
// clientset. Package afrouterpb is the router's configuration API.
package voltha
