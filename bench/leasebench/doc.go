// Package leasebench sets connctx.Leader with the K8sLock of examples/leader side by side
// with client-go's tools/leaderelection, on the same loopback coordination.k8s.io/v1 Lease
// server (examples/watchk8s.Leases), with the same lease duration, renew deadline and retry
// period: the time another candidate takes over after the leader is killed (it stops
// writing, without a release), and the calls the old leader makes after a pause, once the
// new leader has made its first.
package leasebench
