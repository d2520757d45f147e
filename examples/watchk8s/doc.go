// Package watchk8s drives the steadfast watch.Watcher through a real client-go clientset
// against a loopback HTTP server that speaks the Kubernetes watch protocol and misbehaves:
// it drops connections mid-stream, answers 500 and 410 (at open, as a Status, and mid-stream,
// as an ERROR event) and closes streams on timeout. The same server serves coordination.k8s.io
// Leases with the API server's optimistic concurrency ([Leases], which the leader example and
// its benchmark serve on their own); apart from that, the package is its tests.
//
// Wiring a typed client takes no adapter for the watch and one line for the relist:
//
//	pods := clientset.CoreV1().Pods(namespace)
//	w := watch.New(handler)
//	err := w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)))
package watchk8s
