package leasebench

import (
	"fmt"
	"testing"
	"time"
)

var sides = []struct {
	name string
	k    kind
}{{"steadfast", steadfast}, {"client-go", clientgo}}

// BenchmarkTakeoverAfterKill: the leader stops writing to the lease without releasing it (a
// SIGKILL); takeover-ms is the time until the other candidate's work starts.
func BenchmarkTakeoverAfterKill(b *testing.B) {
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			w := newWorld(b)
			var total time.Duration
			for i := range b.N {
				a, c := twoCandidates(b, w, s.k, fmt.Sprintf("kill-%d", i))
				a.g.freeze() // never thawed until the end: dead
				killed := time.Now()
				waitLead(b, w, "b")
				total += time.Since(killed)
				c.stop()
				a.stop()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "takeover-ms")
		})
	}
}

// BenchmarkStaleCallsAfterPause: the leader is frozen (its lock calls and its worker wait at
// a gate, as in SIGSTOP) until the other candidate took over and made its first call, then
// thawed. stale-calls counts the calls the old leader made after the new leader's first;
// stop-ms is the time from the thaw until the old leader's work returned; unstopped-10s
// counts the iterations where it had not returned 10 s after; clobbered, the fraction where
// the new leader did not hold the lease when the old leader's work had returned.
func BenchmarkStaleCallsAfterPause(b *testing.B) {
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			w := newWorld(b)
			var stale, unstopped, clobbered int
			var stop time.Duration
			for i := range b.N {
				firstOfB := w.expectCall("b")
				a, c := twoCandidates(b, w, s.k, fmt.Sprintf("pause-%d", i))
				a.g.freeze()
				waitLead(b, w, "b")
				select {
				case <-firstOfB:
				case <-time.After(10 * time.Second):
					b.Fatal("the new leader made no call within 10 s of leading")
				}
				thawed := time.Now()
				a.g.thaw()
				select {
				case <-a.stopped:
					stop += time.Since(thawed)
					if w.holder(fmt.Sprintf("pause-%d", i)) != "b" {
						clobbered++ // the old leader's release cleared the new leader's lease
					}
				case <-time.After(10 * time.Second):
					unstopped++ // counted, not fatal
				}
				n, _ := w.stale("a")
				stale += n
				c.stop()
				a.stop()
			}
			b.ReportMetric(float64(stale)/float64(b.N), "stale-calls")
			b.ReportMetric(float64(stop.Microseconds())/1000/float64(max(b.N-unstopped, 1)), "stop-ms")
			b.ReportMetric(float64(clobbered)/float64(b.N), "clobbered")
			if unstopped > 0 {
				b.ReportMetric(float64(unstopped), "unstopped-10s")
			}
		})
	}
}
