package watchtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// readyCounter is a user's small controller: it counts the pods it has seen and not seen
// deleted, and drops its state when the watch restarts from scratch.
type readyCounter struct {
	mu   sync.Mutex
	pods map[string]bool
}

func (c *readyCounter) Handle(_ context.Context, _ string, ev apiwatch.Event) error {
	m, err := meta.Accessor(ev.Object)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ev.Type == apiwatch.Deleted {
		delete(c.pods, m.GetName())
	} else {
		c.pods[m.GetName()] = true
	}
	return nil
}

func (c *readyCounter) Resync(context.Context, string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pods = map[string]bool{}
	return nil
}

func (c *readyCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pods)
}

// stopAt wraps the controller under test and ends the test's run once it has handled the event
// of the given resourceVersion: a signal, so the test need not poll or sleep.
type stopAt struct {
	*readyCounter
	rv   string
	stop context.CancelFunc
}

func (s stopAt) Handle(ctx context.Context, res string, ev apiwatch.Event) error {
	err := s.readyCounter.Handle(ctx, res, ev)
	if m, merr := meta.Accessor(ev.Object); merr == nil && m.GetResourceVersion() == s.rv {
		s.stop()
	}
	return err
}

// Testing the controller against a server that drops the stream, fails once and answers 410:
// the test asserts the controller's count and where each watch resumed.
func Example() {
	src := watchtest.NewSource(
		watchtest.Stream(
			watchtest.Added(watchtest.Object("ns", "a", "1")),
			watchtest.Added(watchtest.Object("ns", "b", "2")),
			watchtest.Close()),
		watchtest.Fail(apierrors.NewServiceUnavailable("restarting")),
		watchtest.Stream(watchtest.Deleted(watchtest.Object("ns", "a", "3")), watchtest.Gone()),
		watchtest.Stream(watchtest.Bookmark("6"), watchtest.Added(watchtest.Object("ns", "b", "7"))),
	)
	c := &readyCounter{pods: map[string]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := watch.New(stopAt{readyCounter: c, rv: "7", stop: cancel}, watch.WithPolicy(backoff.Policy{Initial: time.Millisecond}))
	_ = w.Add("pods", src)

	if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Println(err)
	}
	fmt.Println("pods:", c.count())
	for _, call := range src.Calls() {
		fmt.Printf("watch from %q, bookmarks %v\n", call.ResourceVersion, call.AllowWatchBookmarks)
	}
	// Output:
	// pods: 1
	// watch from "", bookmarks true
	// watch from "2", bookmarks true
	// watch from "2", bookmarks true
	// watch from "", bookmarks true
}
