// Package volthabench compares, in one process, how the voltha daemon (examples/voltha: pods
// watched, the router configured by differences) and the origin (VOLTHA's arouterd: pods listed
// every 10 s, only the slots whose address changed pushed, its applyAddrDiffs) re-point the
// router when a core restarts with a new IP, on the same embedded world (client-go's fake
// clientset, in-process cores, an in-process router on loopback). The anchor is written fresh
// from the origin's public description, with its own pairing of cores and none of the
// daemon's assignment code.
//
// The anchor runs in real time at the origin's own 10 s period, and each restart waits first,
// with the benchmark's timer stopped, until a moment drawn uniformly from the sleep that
// follows the previous re-point: the restart falls at a random phase, as a crash does, and the
// latency measured includes the rest of the period. Real time, not a fake clock, because
// nothing is then modelled: the origin's pass (listing pods, a connection per core to ask its
// devices, the hand-back and the push) runs as it does, and its ns/op is its latency. The cost
// is one period per re-point, about 10 s of wall time an iteration: at the default benchtime an
// origin run makes one iteration, so its p50 and p99 are one sample; make bench's six runs give
// six, and -benchtime 20x gives twenty in a run.
package volthabench
