// Package sim is the embedded world of the voltha daemon, and its test kit: an in-process
// affinity router serving the afrouter configuration API on loopback, in-process cores that
// answer device queries, and a Kubernetes cluster made of client-go's fake clientset in which
// core pods start, restart with a new IP and go away. The daemon's demo runs on it; the
// daemon's tests use it, and nothing else.
//
// The rules:
//
//   - Every type is safe for concurrent use.
//   - A [Router] forgets everything when it is stopped: a router started again on the same
//     address starts empty, as a restarted afrouter does.
//   - [Cores] answers for a core only at the address it was last given, so a query that
//     reaches a core's old address fails, as it would.
//   - [Cluster] is the only writer of its pods and stamps each write with the resourceVersion
//     the fake clientset assigns it, so watches resume from real versions. The fake clientset
//     does not keep a history: a watch resumed from a version receives the pods changed since
//     as Added events, and misses deletes that happened while no watch was open.
package sim
