// Package watchk8s drives the steadfast watch.Watcher through a real client-go clientset
// against a loopback HTTP server that speaks the Kubernetes watch protocol and misbehaves:
// it drops connections mid-stream, answers 500 and 410 (at open, as a Status, and mid-stream,
// as an ERROR event) and closes streams on timeout. The same server serves coordination.k8s.io
// Leases with the API server's optimistic concurrency ([Leases], which the leader example and
// its benchmark serve on their own); apart from that, the package is its tests.
//
// Wiring a typed client takes no adapter for the watch and one line for the list, and a typed
// cache is one more:
//
//	pods := clientset.CoreV1().Pods(namespace)
//	cache := watch.NewCache[*corev1.Pod]()
//	w := watch.New(handler)
//	err := w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)), watch.WithCache(cache))
//	// go w.Run(ctx); w.WaitSynced(ctx); cache.Get(namespace, name)
//
// The same works on client-go's fake clientset (fake.NewClientset) with no reactor, whose
// objects carry no resourceVersion (fake_test.go).
package watchk8s
