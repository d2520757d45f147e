// Package volthatest is the embedded world of the voltha daemon, and its test kit: an in-process
// affinity router serving afrouter.Configuration on loopback as VOLTHA's afrouter does,
// in-process VOLTHA cores serving voltha.VolthaService (ListDeviceIds, ReconcileDevices) over
// gRPC, and a Kubernetes cluster made of client-go's fake clientset in which core pods start,
// restart with a new IP and go away. The daemon's demo runs on it; the daemon's tests use it,
// and nothing else. Both servers speak the real services' wire formats (packages afrouterpb
// and corepb), so the daemon talks to them as it would to a real cluster.
//
// The rules:
//
//   - Every type is safe for concurrent use.
//   - A [Router] declares the backends and connections of its voltha.Layout, as the real
//     router's configuration file does, and refuses a call that names anything else. It
//     refuses a SetConnection that changes nothing with the real router's words. Where the
//     real router only logs a bad SetAffinity (an unknown backend, a device moved to another
//     backend), this one refuses it, and lists every refusal in [Router.Refused].
//   - A [Router] forgets everything when it is stopped: a router started again on the same
//     address starts empty, as a restarted afrouter starts from its configuration file.
//   - [Cores] answers for a core only at the address it was last given, so a call that reaches
//     a core's old address fails, as it would. A core moved ([Cores.Move]) keeps its devices;
//     a core replaced ([Cores.Replace]) holds nothing until it is handed devices.
//   - [Cluster] is the only writer of its pods and stamps each write with the resourceVersion
//     the fake clientset assigns it, so watches resume from real versions. The fake clientset
//     does not keep a history: a watch resumed from a version receives the pods changed since
//     as Added events, and misses deletes that happened while no watch was open.
package volthatest
