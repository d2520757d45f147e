package watch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// syncRecorder is a recorder that is also a Syncer: it records "SYNCED" in the same list of
// calls, and whether the Watcher said it was synced when it was told.
type syncRecorder struct {
	*recorder
	w        *watch.Watcher
	mu       sync.Mutex
	reported []bool
}

func (s *syncRecorder) Synced(_ context.Context, resource string) error {
	s.recorder.mu.Lock()
	s.recorder.calls = append(s.recorder.calls, "SYNCED "+resource)
	s.recorder.mu.Unlock()
	if s.w != nil {
		s.mu.Lock()
		s.reported = append(s.reported, s.w.Synced(resource))
		s.mu.Unlock()
	}
	return nil
}

func TestAResourceWithAListerListsFirstThenWatchesFromTheListsVersion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("c", "6"))))
		src.SetList(listOf("5", obj("a", "1"), obj("b", "2")))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "ADDED c@6"}, h.Calls())
		require.Len(t, src.ListCalls(), 1)
		assert.Equal(t, "", src.ListCalls()[0].ResourceVersion, "the list reads the latest state")
		require.Len(t, src.Calls(), 1)
		assert.Equal(t, "5", src.Calls()[0].ResourceVersion, "the watch starts from the list's version")
	})
}

func TestAResourceIsSyncedOnceItsListIsDeliveredAndAWatchIsOpenBeforeItsFirstEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(apierrors.NewServiceUnavailable("starting")),
			watchtest.Stream(watchtest.Added(obj("c", "6"))))
		src.SetList(listOf("5", obj("a", "1"), obj("b", "2")))
		h := &syncRecorder{recorder: newRecorder()}
		w := watch.New(h, watch.WithPolicy(policy))
		h.w = w
		h.block = make(chan struct{})
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		assert.False(t, w.Synced(), "not synced before Run")
		run := start(t, w)
		synctest.Wait()
		assert.False(t, w.Synced("pods"), "not synced while the list is being delivered")
		close(h.block)
		synctest.Wait()
		assert.False(t, w.Synced(), "not synced while no watch is open from the list")
		assert.False(t, w.Status()["pods"].Synced)
		time.Sleep(policy.Initial)
		synctest.Wait()
		assert.True(t, w.Synced())
		assert.True(t, w.Synced("pods"))
		assert.True(t, w.Status()["pods"].Synced)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2", "SYNCED pods", "ADDED c@6"}, h.Calls())
		assert.Equal(t, []bool{false}, h.reported, "the handler is told before Synced turns true")
		assert.True(t, w.Synced(), "synced stays true when Run ends")
	})
}

func TestASyncerIsToldAgainAfterEveryRelist(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("c", "6")), watchtest.Gone()),
			watchtest.Stream(watchtest.Added(obj("d", "9"))))
		lists := 0
		src.SetList(func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
			lists++
			if lists == 1 {
				return listOf("5", obj("a", "1"))(ctx, opts)
			}
			return listOf("8", obj("c", "6"))(ctx, opts)
		})
		h := &syncRecorder{recorder: newRecorder()}
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src, watch.WithList(src.List)))
		run := start(t, w)
		synctest.Wait()
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "SYNCED pods", "ADDED c@6", "DELETED a@1", "SYNCED pods", "ADDED d@9"}, h.Calls())
	})
}

func TestWithoutAListerAResourceIsSyncedWhenItsFirstWatchOpens(t *testing.T) {
	for _, opt := range []watch.ResourceOption{nil, watch.WithResourceVersion("7")} {
		synctest.Test(t, func(t *testing.T) {
			src := watchtest.NewSource(watchtest.Fail(errors.New("refused")), watchtest.Stream(watchtest.Added(obj("a", "8")), watchtest.Close()),
				watchtest.Stream())
			h := &syncRecorder{recorder: newRecorder()}
			w := watch.New(h, watch.WithPolicy(policy))
			require.NoError(t, w.Add("pods", src, opt))
			run := start(t, w)
			synctest.Wait()
			assert.False(t, w.Synced(), "no watch is open yet")
			time.Sleep(policy.Initial)
			synctest.Wait()
			assert.True(t, w.Synced())
			require.NoError(t, run.stop())
			assert.Equal(t, []string{"SYNCED pods", "ADDED a@8"}, h.Calls(), "told once, at the first open")
		})
	}
}

func TestWaitSyncedBlocksUntilSyncedAndEndsWithTheContextAFailureOrAnUnknownName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok := watchtest.NewSource(watchtest.Stream())
		bad := watchtest.NewSource(watchtest.Fail(errors.New("refused")), watchtest.Fail(apierrors.NewUnauthorized("no")))
		w := watch.New(newRecorder(), watch.WithPolicy(policy), watch.WithKeepRunning())
		require.NoError(t, w.Add("ok", ok, watch.WithList(ok.List)))
		require.NoError(t, w.Add("bad", bad))

		short, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.ErrorIs(t, w.WaitSynced(short, "ok"), context.DeadlineExceeded, "Run is not running")
		assert.ErrorIs(t, w.WaitSynced(t.Context(), "nope"), watch.ErrUnknownResource)

		run := start(t, w)
		require.NoError(t, w.WaitSynced(t.Context(), "ok"))
		err := w.WaitSynced(t.Context())
		var gu *watch.GiveUpError
		require.ErrorAs(t, err, &gu, "a resource that gave up before it synced ends the wait")
		assert.Equal(t, "bad", gu.Resource)
		assert.ErrorIs(t, err, watch.ErrRejected)
		require.NoError(t, run.stop())
	})
}
