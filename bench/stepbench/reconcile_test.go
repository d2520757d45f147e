package stepbench

import (
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// resources is the size of the tree, the same for every sub-benchmark.
const resources = 1000

// BenchmarkReconcileTree converges an empty system to a tree of 1,000 resources in 4
// dependency levels, against a fake API with 20 ms per call and 100 ms until ready (real time)
// that takes 16 calls in flight and refuses more with a 429 and a 1 s Retry-After.
//
//   - steadfast: converge.New with no option, the defaults a user gets.
//   - steadfast-tuned (labelled, beside it): a ready policy whose first delay is the fake's
//     known time until ready, 100 ms, without jitter.
//   - sequential (the anchor): the LBaaS original's create-then-wait algorithm, one call at a
//     time, on the same 1,000 resources (about 41 s an iteration).
//
// Metrics: wall-s (the wall time of one convergence), critical-path-s (criticalPath: what the
// API's limit allows), x-critical-path (their ratio), creates/resource, refreshes/resource
// (calls that read one resource's phase), and 429/op (refusals received in one convergence).
func BenchmarkReconcileTree(b *testing.B) {
	desired := tree(resources)
	b.Run("steadfast", func(b *testing.B) {
		benchTree(b, len(desired), func(api *limitedAPI) error {
			return converge.New(api, api, key, steps(desired)).Reconcile(b.Context())
		})
	})
	b.Run("steadfast-tuned", func(b *testing.B) {
		benchTree(b, len(desired), func(api *limitedAPI) error {
			r := converge.New(api, api, key, steps(desired),
				converge.WithReadyPolicy(backoff.Policy{Initial: readyAfter, Multiplier: 1.5,
					Max: time.Second, Jitter: backoff.NoJitter}))
			return r.Reconcile(b.Context())
		})
	})
	b.Run("sequential", func(b *testing.B) {
		benchTree(b, len(desired), func(api *limitedAPI) error {
			return sequential(b.Context(), api, api, steps(desired))
		})
	})
}

func benchTree(b *testing.B, n int, converge func(*limitedAPI) error) {
	var wall time.Duration
	var creates, refreshes, refused, ops int
	for b.Loop() {
		api := newAPI()
		start := time.Now()
		if err := converge(api); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		if got := len(api.eng.Keys()); got != n {
			b.Fatalf("%d resources exist, want %d", got, n)
		}
		creates += api.eng.Count(convergetest.OpCreate)
		refreshes += api.eng.Count(convergetest.OpRefresh)
		refused += int(api.refused.Load())
		ops++
	}
	avg := wall / time.Duration(ops)
	b.ReportMetric(avg.Seconds(), "wall-s")
	b.ReportMetric(criticalPath(n).Seconds(), "critical-path-s")
	b.ReportMetric(float64(avg)/float64(criticalPath(n)), "x-critical-path")
	b.ReportMetric(float64(creates)/float64(ops*n), "creates/resource")
	b.ReportMetric(float64(refreshes)/float64(ops*n), "refreshes/resource")
	b.ReportMetric(float64(refused)/float64(ops), "429/op")
}
