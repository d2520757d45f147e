package watch_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// cancelling is a recorder whose Handle and Resync end Run (through stop) on the first call,
// and acknowledge anyway, as a handler finishing its work after a cancel does.
type cancelling struct {
	*recorder
	stop    context.CancelFunc
	resyncs int
}

func (c *cancelling) Handle(ctx context.Context, res string, ev apiwatch.Event) error {
	c.stop()
	return c.recorder.Handle(ctx, res, ev)
}

func (c *cancelling) Resync(context.Context, string) error {
	c.resyncs++
	c.stop()
	return nil
}

func TestNothingIsHandedOverOrOpenedOnceTheContextHasEnded(t *testing.T) {
	for _, listed := range []bool{true, false} {
		t.Run(map[bool]string{true: "a relist", false: "a resync"}[listed], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Fail(watchtest.GoneError()))
				src.SetList(listOf("9", obj("a", "1"), obj("b", "2"), obj("c", "3")))
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				h := &cancelling{recorder: newRecorder(), stop: cancel}
				var opts []watch.ResourceOption
				if listed {
					opts = append(opts, watch.WithList(src.List), watch.WithResourceVersion("0"))
				}
				w := watch.New(h)
				require.NoError(t, w.Add("pods", src, opts...))
				require.NoError(t, w.Run(ctx))
				if listed {
					assert.Equal(t, []string{"ADDED a@1"}, h.Calls(), "delivered after the context ended")
				} else {
					assert.Equal(t, 1, h.resyncs)
				}
				assert.Len(t, src.Calls(), 1, "a stream was opened after the context ended")
			})
		})
	}
}

// blockingResyncer is a recorder whose Resync waits for its context to end.
type blockingResyncer struct {
	*recorder
	resyncs int
}

func (b *blockingResyncer) Resync(ctx context.Context, _ string) error {
	b.resyncs++
	<-ctx.Done()
	return ctx.Err()
}

func TestRunWithAnEndedContextOpensListsAndCallsNothing(t *testing.T) {
	for _, pending := range []string{"nothing", "a relist", "a resync"} {
		t.Run(pending+" pending", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Stream(watchtest.Gone()))
				src.SetList(func(ctx context.Context, _ metav1.ListOptions) ([]runtime.Object, string, error) {
					<-ctx.Done()
					return nil, "", ctx.Err()
				})
				h := &blockingResyncer{recorder: newRecorder()}
				var opts []watch.ResourceOption
				if pending == "a relist" {
					opts = append(opts, watch.WithList(src.List))
				}
				w := watch.New(h)
				require.NoError(t, w.Add("pods", src, opts...))
				if pending != "nothing" { // a first Run stops in the middle of it
					run := start(t, w)
					synctest.Wait()
					require.NoError(t, run.stop())
				}
				watches, lists, resyncs := len(src.Calls()), len(src.ListCalls()), h.resyncs
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				assert.NoError(t, w.Run(ctx))
				assert.Len(t, src.Calls(), watches, "a stream was opened after the context ended")
				assert.Len(t, src.ListCalls(), lists, "listed after the context ended")
				assert.Equal(t, resyncs, h.resyncs, "resynced after the context ended")
				assert.Empty(t, h.Calls())
				assert.Equal(t, watch.StateStopped, w.Status()["pods"].State)
			})
		})
	}
}

func TestStoppingEndsEveryWaitAtOnce(t *testing.T) {
	blockingList := func(ctx context.Context, _ metav1.ListOptions) ([]runtime.Object, string, error) {
		<-ctx.Done()
		return nil, "", ctx.Err()
	}
	tests := []struct {
		name string
		src  watch.Source
		h    watch.HandlerFunc
		list watch.ListFunc
	}{
		{name: "a backoff", src: watchtest.NewSource(watchtest.Fail(unavailable()))},
		{name: "a handler's backoff", src: watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")))),
			h: func(context.Context, string, apiwatch.Event) error { return errors.New("again") }},
		{name: "a list", src: watchtest.NewSource(watchtest.Fail(watchtest.GoneError())), list: blockingList},
		{name: "an open", src: watch.SourceFunc(func(ctx context.Context, _ metav1.ListOptions) (apiwatch.Interface, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var h watch.Handler = newRecorder()
				if tt.h != nil {
					h = tt.h
				}
				var opts []watch.ResourceOption
				if tt.list != nil {
					opts = append(opts, watch.WithList(tt.list))
				}
				var rs restarts
				w := watch.New(h, watch.WithPolicy(policy), rs.hook())
				require.NoError(t, w.Add("pods", tt.src, opts...))
				run := start(t, w)
				time.Sleep(100 * time.Millisecond)
				synctest.Wait()
				n := len(rs)
				begin := time.Now()
				require.NoError(t, run.stop())
				assert.Zero(t, time.Since(begin), "Run waited for the rest of %s", tt.name)
				assert.Len(t, rs, n, "restarted after the stop")
				assert.Equal(t, watch.StateStopped, w.Status()["pods"].State)
			})
		})
	}
}

func TestRunAgainAfterAGiveUpRestartsTheFailedResource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Error(apierrors.NewForbidden(pods, "", errors.New("not yet")))),
			watchtest.Stream(watchtest.Added(obj("b", "2"))))
		h := newRecorder()
		w := watch.New(h)
		require.NoError(t, w.Add("pods", src))
		require.ErrorIs(t, w.Run(t.Context()), watch.ErrRejected)
		assert.False(t, w.Healthy())
		run := start(t, w)
		synctest.Wait()
		assert.True(t, w.Healthy(), "a resource that gave up stays failed only until the next Run")
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1", "ADDED b@2"}, h.Calls())
		assert.Equal(t, "1", src.Calls()[1].ResourceVersion)
	})
}
