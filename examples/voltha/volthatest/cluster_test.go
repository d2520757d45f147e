package volthatest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

// A write holds the cluster's lock while it calls the fake clientset, and the fake clientset
// runs the watch reactor under its own lock: the reactor must not take the write's lock, or
// a watch call made during a write deadlocks both (as the voltha demo once did on a restart).
func TestAClusterTakesWritesAndWatchCallsAtOnce(t *testing.T) {
	c := volthatest.NewCluster("voltha")
	const n = 200
	done := make(chan error, 2)
	go func() {
		for i := range n {
			if err := c.Start(t.Context(), fmt.Sprintf("rw-core%d", i), "node-1", "10.0.0.1"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range n {
			w, err := c.Pods().Watch(t.Context(), metav1.ListOptions{})
			if err != nil {
				done <- err
				return
			}
			w.Stop()
		}
		done <- nil
	}()
	deadline := time.After(30 * time.Second)
	for range 2 {
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-deadline:
			t.Fatal("a write and a watch call deadlocked")
		}
	}
	assert.Equal(t, n, c.WatchCalls())
}
