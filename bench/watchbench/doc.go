// Package watchbench compares watch.Watcher with reading a watch stream's channel directly and
// with client-go's RetryWatcher, on one synthetic stream of pod events: the cost per event
// (BenchmarkEvent) and the time from a normal close to the next Watch call (BenchmarkReopen).
package watchbench
