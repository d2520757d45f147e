// Package volthabench compares, in one process, how the voltha daemon (examples/voltha:
// pods watched, the router configured by differences) and the origin's shape (arouterd: pods
// listed on a timer, the whole configuration pushed each time) re-point the router when a core
// restarts with a new IP, on the same embedded world (client-go's fake clientset, an in-process
// router on loopback). The origin polled every 10 s; the anchor here polls every 50 ms so that
// the benchmark runs in seconds, which flatters it.
package volthabench
