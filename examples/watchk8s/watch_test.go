package watchk8s

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apiwatch "k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
)

// view is a handler keeping the pods it was told about, and checking their order.
type view struct {
	mu       sync.Mutex
	pods     map[string]int
	problems []string
}

func (v *view) Handle(_ context.Context, _ string, ev apiwatch.Event) error {
	m, err := meta.Accessor(ev.Object)
	if err != nil {
		return err
	}
	rv, _ := strconv.Atoi(m.GetResourceVersion())
	v.mu.Lock()
	defer v.mu.Unlock()
	last, had := v.pods[m.GetName()]
	_, tombstone := ev.Object.(*watch.Tombstone)
	switch {
	case tombstone && rv != last, !tombstone && had && rv <= last:
		v.problems = append(v.problems, fmt.Sprintf("%s %s@%d after version %d", ev.Type, m.GetName(), rv, last))
	}
	if ev.Type == apiwatch.Deleted {
		delete(v.pods, m.GetName())
	} else {
		v.pods[m.GetName()] = rv
	}
	return nil
}

func TestTheWatcherSurvivesAMisbehavingAPIServerThroughClientGo(t *testing.T) {
	srv := newAPIServer(200, []fault{
		{to: 50, end: "drop"},                        // connection dropped mid-stream
		{openStatus: http.StatusInternalServerError}, // 500 at open
		{to: 100, end: "timeout"},                    // a quiet stream closed by the server's timeout
		{to: 120, end: "gone", compactTo: 130},       // 410 as an ERROR event mid-stream
		{compactTo: 150},                             // 410 as a Status at open
	})
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, ContentConfig: rest.ContentConfig{ContentType: "application/json"}})
	require.NoError(t, err)
	pods := cs.CoreV1().Pods("default")

	v := &view{pods: map[string]int{}}
	var restarts []error
	w := watch.New(v,
		watch.WithPolicy(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}),
		watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarts = append(restarts, r.Err) }}))
	require.NoError(t, w.Add("pods", pods, watch.WithList(watch.ListerOf(pods.List))))

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	require.Eventually(t, func() bool { return w.Status()["pods"].ResourceVersion == "200" },
		20*time.Second, 5*time.Millisecond, "the watcher did not reach the end of the history")
	cancel()
	require.NoError(t, <-done)

	v.mu.Lock()
	defer v.mu.Unlock()
	assert.Empty(t, v.problems)
	assert.Equal(t, srv.stateAt(200), v.pods, "the handler's view differs from the server's")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Equal(t, []url{{"0", "true"}, {"50", "true"}, {"50", "true"}, {"100", "true"}, {"130", "true"}, {"150", "true"}},
		srv.watches, "the first watch starts from the first list, each other resumes from the last handled version, with bookmarks")
	assert.Equal(t, 3, srv.lists, "one list at the start (at version 0), one relist per 410")
	require.Len(t, restarts, 5)
	assert.NoError(t, restarts[0], "a dropped connection is a normal close for client-go")
	assert.True(t, apierrors.IsInternalError(restarts[1]), "500: %v", restarts[1])
	assert.NoError(t, restarts[2], "a stream closed on timeout")
	assert.True(t, apierrors.IsResourceExpired(restarts[3]), "410 mid-stream: %v", restarts[3])
	assert.True(t, apierrors.IsResourceExpired(restarts[4]), "410 at open: %v", restarts[4])
}

func TestAnUnauthorizedAnswerGivesUpThroughClientGo(t *testing.T) {
	srv := newAPIServer(10, []fault{{to: 5, end: "drop"}, {openStatus: http.StatusUnauthorized}})
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)
	v := &view{pods: map[string]int{}}
	w := watch.New(v)
	require.NoError(t, w.Add("pods", cs.CoreV1().Pods("default")))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err = w.Run(ctx)
	var gu *watch.GiveUpError
	require.ErrorAs(t, err, &gu)
	assert.ErrorIs(t, err, watch.ErrRejected)
	assert.True(t, apierrors.IsUnauthorized(gu.Last), "last: %v", gu.Last)
	assert.Len(t, v.pods, len(srv.stateAt(5)), "the events before the 401 were handled")
}
