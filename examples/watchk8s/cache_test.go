package watchk8s

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
)

// gcController is the controller the issue describes: on every synced signal it compares the
// cache with the server's state at the list it came from, as garbage collection of an external
// system would rely on.
type gcController struct {
	srv      *apiServer
	cache    *watch.Cache[*corev1.Pod]
	mu       sync.Mutex
	synced   int
	problems []string
}

func (c *gcController) Handle(context.Context, string, apiwatch.Event) error { return nil }

func (c *gcController) Synced(context.Context, string) error {
	c.srv.mu.Lock()
	want := c.srv.stateAt(c.srv.listedAt) // the server runs ahead: compare with what was listed
	c.srv.mu.Unlock()
	got := map[string]int{}
	for _, p := range c.cache.List() {
		got[p.Name], _ = strconv.Atoi(p.ResourceVersion)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.synced++
	if fmt.Sprint(got) != fmt.Sprint(want) {
		c.problems = append(c.problems, fmt.Sprintf("synced #%d: cache %v, server %v", c.synced, got, want))
	}
	return nil
}

func clientFor(t *testing.T, srv *apiServer) *kubernetes.Clientset {
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, ContentConfig: rest.ContentConfig{ContentType: "application/json"}})
	require.NoError(t, err)
	return cs
}

func TestTheCacheAndTheSyncedSignalHoldThroughClientGoAcrossDropsAnd410s(t *testing.T) {
	srv := newAPIServer(200, []fault{
		{to: 80, end: "drop"},                  // connection dropped mid-stream
		{to: 120, end: "gone", compactTo: 130}, // 410 mid-stream
		{compactTo: 150},                       // 410 at open
	})
	defer srv.Close()
	srv.compacted = 40 // the first list has the state at 40
	pods := clientFor(t, srv).CoreV1().Pods("default")
	cache := watch.NewCache[*corev1.Pod]()
	c := &gcController{srv: srv, cache: cache}
	w := watch.New(c, watch.WithPolicy(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}))
	require.NoError(t, w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)), watch.WithCache(cache)))
	assert.False(t, w.Synced())

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	require.NoError(t, w.WaitSynced(ctx))
	require.Eventually(t, func() bool { return w.Status()["pods"].ResourceVersion == "200" },
		20*time.Second, 5*time.Millisecond, "the watcher did not reach the end of the history")
	cancel()
	require.NoError(t, <-done)

	got := map[string]int{}
	for _, p := range cache.List() {
		got[p.Name], _ = strconv.Atoi(p.ResourceVersion)
	}
	assert.Equal(t, srv.stateAt(200), got, "the cache differs from the server")
	c.mu.Lock()
	defer c.mu.Unlock()
	assert.Empty(t, c.problems)
	// At the start, and after the relists: the watch after the first relist got 410 at open,
	// before it was open, so the two relists back to back are one synced state.
	assert.Equal(t, 2, c.synced, "told at the start and once after the relists")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Equal(t, 3, srv.lists, "one list at the start, one per 410")
	assert.Equal(t, "40", srv.watches[0].rv, "the first watch starts from the first list")
}

func TestTheStreamingListAndItsRefusalThroughClientGo(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "streamed", true: "refused"}[refuse], func(t *testing.T) {
			srv := newAPIServer(200, []fault{
				{to: 80, end: "drop"},                  // dropped after the initial events and some more
				{to: 120, end: "gone", compactTo: 130}, // 410 mid-stream: the state is read again
			})
			defer srv.Close()
			srv.compacted, srv.noStreaming = 40, refuse
			pods := clientFor(t, srv).CoreV1().Pods("default")
			cache := watch.NewCache[*corev1.Pod]()
			c := &gcController{srv: srv, cache: cache}
			w := watch.New(c, watch.WithPolicy(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}))
			require.NoError(t, w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List)), watch.WithCache(cache), watch.WithStreamingList()))
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			require.NoError(t, w.WaitSynced(ctx))
			require.Eventually(t, func() bool { return w.Status()["pods"].ResourceVersion == "200" },
				20*time.Second, 5*time.Millisecond, "the watcher did not reach the end of the history")
			cancel()
			require.NoError(t, <-done)

			got := map[string]int{}
			for _, p := range cache.List() {
				got[p.Name], _ = strconv.Atoi(p.ResourceVersion)
			}
			assert.Equal(t, srv.stateAt(200), got, "the cache differs from the server")
			c.mu.Lock()
			defer c.mu.Unlock()
			assert.Empty(t, c.problems)
			assert.Equal(t, 2, c.synced, "at the start and after the 410")
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if refuse {
				assert.Equal(t, 1, srv.refused, "asked once")
				assert.Equal(t, 2, srv.lists, "then list and watch, at the start and after the 410")
			} else {
				assert.Equal(t, 2, srv.streamed, "streamed at the start and after the 410")
				assert.Zero(t, srv.lists, "no list call")
			}
		})
	}
}
