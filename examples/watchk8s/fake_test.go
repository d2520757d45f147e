package watchk8s

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/steadfast-go/steadfast/watch"
)

func pod(name, node string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: corev1.PodSpec{NodeName: node}}
}

// TestTheWatcherRunsOnClientGosFakeClientsetAsItIs is a controller's unit test as it is usually
// written: client-go's fake clientset, no reactor of ours. Its objects carry no resourceVersion
// (only its lists do); the Watcher lists, syncs, keeps the cache and sees every change.
func TestTheWatcherRunsOnClientGosFakeClientsetAsItIs(t *testing.T) {
	cs := fake.NewClientset(pod("a", "n1"), pod("b", "n1"))
	pods := cs.CoreV1().Pods("default")
	cache := watch.NewCache(watch.WithIndex("node", func(p *corev1.Pod) []string { return []string{p.Spec.NodeName} }))
	events := make(chan string, 16)
	w := watch.New(watch.HandlerFunc(func(_ context.Context, _ string, ev apiwatch.Event) error {
		events <- string(ev.Type) + " " + ev.Object.(metav1.Object).GetName()
		return nil
	}))
	require.NoError(t, w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)), watch.WithCache(cache)))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	require.NoError(t, w.WaitSynced(ctx))
	assert.ElementsMatch(t, []string{"ADDED a", "ADDED b"}, []string{<-events, <-events})
	onN1, err := cache.ByIndex("node", "n1")
	require.NoError(t, err)
	assert.Len(t, onN1, 2)

	_, err = pods.Create(ctx, pod("c", "n2"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = pods.Update(ctx, pod("a", "n2"), metav1.UpdateOptions{})
	require.NoError(t, err)
	require.NoError(t, pods.Delete(ctx, "b", metav1.DeleteOptions{}))
	assert.Equal(t, []string{"ADDED c", "MODIFIED a", "DELETED b"}, []string{<-events, <-events, <-events})

	a, ok := cache.Get("default", "a")
	require.True(t, ok)
	assert.Equal(t, "n2", a.Spec.NodeName, "typed access to the cached pod")
	_, ok = cache.Get("default", "b")
	assert.False(t, ok)
	onN2, err := cache.ByIndex("node", "n2")
	require.NoError(t, err)
	assert.Len(t, onN2, 2)
	assert.True(t, w.Healthy())
	cancel()
	require.NoError(t, <-done)
}
