// Package watchbench compares watch.Watcher with reading a watch stream's channel directly and
// with client-go's RetryWatcher, on one synthetic stream of pod events: the cost per event
// (BenchmarkEvent) and the time from a normal close to the next Watch call (BenchmarkReopen).
//
// It also compares a Watcher with a typed Cache against client-go's SharedIndexInformer, in
// the same process, against the same loopback HTTP server, through a real typed client
// speaking JSON: the time from start to synced with 10,000 pods (BenchmarkTimeToSynced), the
// cost of one event after sync through the cache and a no-op handler (BenchmarkEventAfterSync)
// and the live heap per cached pod (BenchmarkCacheHeap).
package watchbench
