package watch_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// TestAfterAServerThatClosedStreamsAtOnceRecoversTheWatcherIsBackWithinTheFirstDelay plays a
// server restarting: for 20 s every stream closes at once (a new server electing a leader),
// then streams work again. The Watcher must be back within the policy's first delay of the
// recovery, not after a delay doubled by every quick close of the outage (it would come back
// 11 s late with 1 s doubling), and still wait between quick closes (no hot loop).
func TestAfterAServerThatClosedStreamsAtOnceRecoversTheWatcherIsBackWithinTheFirstDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		begin := time.Now()
		recovered := begin.Add(20 * time.Second)
		src := watchtest.NewSource()
		src.Then(func(int, metav1.ListOptions) watchtest.Open {
			if time.Now().Before(recovered) {
				return watchtest.Stream(watchtest.Close())
			}
			return watchtest.Stream(watchtest.Added(obj("a", "2")))
		})
		var back time.Time
		ctx, cancel := context.WithCancel(t.Context())
		w := watch.New(watch.HandlerFunc(func(context.Context, string, apiwatch.Event) error {
			back = time.Now()
			cancel()
			return nil
		}), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src, watch.WithResourceVersion("1")))
		require.NoError(t, w.Run(ctx))
		late := back.Sub(recovered)
		assert.LessOrEqual(t, late, policy.Initial, "back %v after the recovery", late)
		calls := len(src.Calls())
		assert.LessOrEqual(t, calls, 22, "at most one open per first delay during the outage: %d", calls)
	})
}
