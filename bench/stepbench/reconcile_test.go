package stepbench

import (
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// Sizes: steadfast converges 1,000 resources. The sequential baseline makes every call one
// after the other, so its time grows linearly with the resources (about 2 calls of 20 ms per
// resource: ~40 s for 1,000); it runs on a tenth of the input to keep the benchmark short, and
// both report "s/1000-resources", their wall time scaled to 1,000 resources.
const (
	steadfastResources  = 1000
	sequentialResources = 100
)

// BenchmarkReconcileTree converges an empty system to a tree of resources in 4 dependency
// levels, against a fake engine with 20 ms per call and 100 ms until ready (real time).
// Metrics: x-critical-path (wall time over the critical path, 4 x (20 + 100) ms + 5 observes
// of 20 ms = 580 ms, which does not depend on the number of resources; each sub-benchmark's
// figure is for the input it ran on), s/1000-resources (the comparable figure), and
// creates/resource. Running the sequential baseline once on 1,000 resources took 41.1 s,
// against 41.6 s scaled from 100: the scaling holds.
func BenchmarkReconcileTree(b *testing.B) {
	b.Run("steadfast", func(b *testing.B) {
		desired := tree(steadfastResources)
		benchTree(b, len(desired), func(sys *convergetest.Engine[node]) error {
			r := converge.New(sys, sys, key, steps(desired),
				converge.WithParallelism(len(desired)/levels),
				// A ready policy whose first delay is the time the system is known to take.
				converge.WithReadyPolicy(backoff.Policy{Initial: readyAfter, Multiplier: 1.5,
					Max: time.Second, Jitter: backoff.NoJitter, MaxElapsed: time.Minute}))
			return r.Reconcile(b.Context())
		})
	})
	b.Run("sequential", func(b *testing.B) {
		desired := tree(sequentialResources)
		benchTree(b, len(desired), func(sys *convergetest.Engine[node]) error {
			return sequential(b.Context(), sys, sys, steps(desired))
		})
	})
}

func benchTree(b *testing.B, n int, converge func(*convergetest.Engine[node]) error) {
	var wall time.Duration
	var creates, ops int
	for b.Loop() {
		sys := newSystem()
		start := time.Now()
		if err := converge(sys); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		if got := len(sys.Keys()); got != n {
			b.Fatalf("%d resources exist, want %d", got, n)
		}
		creates += sys.Count(convergetest.OpCreate)
		ops++
	}
	avg := wall / time.Duration(ops)
	b.ReportMetric(float64(avg)/float64(criticalPath), "x-critical-path")
	b.ReportMetric(avg.Seconds()*1000/float64(n), "s/1000-resources")
	b.ReportMetric(float64(creates)/float64(ops*n), "creates/resource")
}
