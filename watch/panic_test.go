package watch_test

import (
	"context"
	"errors"
	"runtime"
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

func TestAPanickingHandlerStopsEveryResourceThenPanicsOnRunsGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		good := &stopCounter{src: watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("g", "1"))))}
		bad := &stopCounter{src: watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("boom", "1"))))}
		boom := errors.New("boom")
		w := watch.New(watch.HandlerFunc(func(ctx context.Context, name string, _ apiwatch.Event) error {
			if name == "bad" {
				time.Sleep(time.Second)
				panic(boom)
			}
			<-ctx.Done()
			time.Sleep(time.Second) // finishing its work after the cancel
			return ctx.Err()
		}))
		require.NoError(t, w.Add("good", good))
		require.NoError(t, w.Add("bad", bad))
		begin := time.Now()
		recovered := runRecovering(t, w)
		err, ok := recovered.(error)
		require.True(t, ok, "Run panicked with %T %v", recovered, recovered)
		assert.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), `watch: resource "bad" panicked: boom`)
		assert.Contains(t, err.Error(), "TestAPanickingHandlerStopsEveryResourceThenPanicsOnRunsGoroutine",
			"the stack where the handler panicked")
		assert.Equal(t, 2*time.Second, time.Since(begin), "Run panicked before the other handler returned")
		assert.Equal(t, []int{1}, bad.Stops(), "the panicking resource's stream was not stopped")
		assert.Equal(t, []int{1}, good.Stops(), "the other resource was not stopped")
		st := w.Status()
		assert.Equal(t, watch.StateFailed, st["bad"].State)
		assert.ErrorIs(t, st["bad"].LastError, boom)
		assert.Equal(t, watch.StateStopped, st["good"].State)
	})
}

// runRecovering calls Run and returns what it panicked with, nil if it returned.
func runRecovering(t *testing.T, w *watch.Watcher) (recovered any) {
	defer func() { recovered = recover() }()
	err := w.Run(t.Context())
	t.Errorf("Run returned %v instead of panicking", err)
	return nil
}

func TestPanicsAnywhereOnAResourcesGoroutineReachRunsCaller(t *testing.T) {
	tests := []struct {
		name  string
		src   func() watch.Source
		h     watch.HandlerFunc
		opts  []watch.Option
		want  string
		after time.Duration // before Run's context is cancelled
	}{
		{name: "the source", src: func() watch.Source {
			return watch.SourceFunc(func(context.Context, metav1.ListOptions) (apiwatch.Interface, error) { panic("source") })
		}, want: "panicked: source"},
		{name: "a hook", src: quickClosing, opts: []watch.Option{watch.WithHooks(watch.Hooks{OnRestart: func(watch.Restart) { panic("hook") }})},
			want: "panicked: hook"},
		{name: "a handler while stopping", after: time.Second, h: func(ctx context.Context, _ string, _ apiwatch.Event) error {
			<-ctx.Done()
			panic("stopping")
		}, want: "panicked: stopping"},
		{name: "a handler calling runtime.Goexit", h: func(context.Context, string, apiwatch.Event) error {
			runtime.Goexit()
			return nil
		}, want: "called runtime.Goexit"},
		{name: "a handler panicking with nil", h: func(context.Context, string, apiwatch.Event) error {
			panic(nil)
		}, want: "panicked: panic called with nil argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				if tt.src == nil {
					tt.src = func() watch.Source { return watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")))) }
				}
				if tt.h == nil {
					tt.h = func(context.Context, string, apiwatch.Event) error { return nil }
				}
				w := watch.New(tt.h, tt.opts...)
				require.NoError(t, w.Add("pods", tt.src()))
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tt.after > 0 {
					time.AfterFunc(tt.after, cancel)
				}
				var recovered any
				func() {
					defer func() { recovered = recover() }()
					_ = w.Run(ctx)
				}()
				err, ok := recovered.(error)
				require.True(t, ok, "Run returned, or panicked with %T %v", recovered, recovered)
				assert.Contains(t, err.Error(), `watch: resource "pods" `+tt.want)
				assert.Equal(t, watch.StateFailed, w.Status()["pods"].State)
			})
		})
	}
}

func quickClosing() watch.Source { return watchtest.NewSource(watchtest.Stream(watchtest.Close())) }
