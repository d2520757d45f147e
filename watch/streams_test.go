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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

// brokenStream is a watch.Interface whose ResultChan returns ch, nil or not.
type brokenStream struct {
	ch    chan apiwatch.Event
	mu    sync.Mutex
	stops int
}

func (s *brokenStream) ResultChan() <-chan apiwatch.Event { return s.ch }

func (s *brokenStream) Stop() {
	s.mu.Lock()
	s.stops++
	s.mu.Unlock()
}

func (s *brokenStream) Stops() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stops
}

func sourceOf(w apiwatch.Interface, err error) watch.Source {
	return watch.SourceFunc(func(context.Context, metav1.ListOptions) (apiwatch.Interface, error) { return w, err })
}

// stopCounter is a Source that counts the Stop calls of each stream it returns.
type stopCounter struct {
	src   watch.Source
	mu    sync.Mutex
	stops []int // per stream, in order
}

func (c *stopCounter) Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	w, err := c.src.Watch(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stops = append(c.stops, 0)
	return &countedStream{Interface: w, c: c, i: len(c.stops) - 1}, nil
}

func (c *stopCounter) Stops() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.stops...)
}

type countedStream struct {
	apiwatch.Interface
	c *stopCounter
	i int
}

func (s *countedStream) Stop() {
	s.c.mu.Lock()
	s.c.stops[s.i]++
	s.c.mu.Unlock()
	s.Interface.Stop()
}

func TestAStreamWithANilResultChannelIsStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &brokenStream{}
		w := watch.New(newRecorder())
		require.NoError(t, w.Add("pods", sourceOf(s, nil)))
		assert.ErrorIs(t, w.Run(t.Context()), watch.ErrMalformed)
		assert.Equal(t, 1, s.Stops())
	})
}

func TestAStreamReturnedWithAnErrorIsStoppedAndTheErrorRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &brokenStream{ch: make(chan apiwatch.Event)}
		calls := 0
		next := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		src := watch.SourceFunc(func(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
			if calls++; calls == 1 {
				return s, errors.New("half open")
			}
			return next.Watch(ctx, opts)
		})
		h := newRecorder()
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, 1, s.Stops(), "the stream that came with the error was not stopped")
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls())
	})
}

func TestEveryStreamIsStoppedExactlyOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &stopCounter{src: watchtest.NewSource(
			watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()), // closed by the server
			watchtest.Stream(watchtest.Error(unavailable())),                    // failed
			watchtest.Stream(), // idle
			watchtest.Stream(watchtest.Added(obj("b", "2"))))} // stopped with Run
		w := watch.New(newRecorder(), watch.WithPolicy(policy), watch.WithIdleTimeout(10*time.Second))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(15 * time.Second)
		require.NoError(t, run.stop())
		assert.Equal(t, []int{1, 1, 1, 1}, src.Stops())
	})
}

func TestOnlyQuickClosesTwiceInARowBackOff(t *testing.T) {
	tests := []struct {
		name    string
		between watchtest.Open
		opts    []watch.Option
	}{
		{"a normal close with no event in between", watchtest.Stream(watchtest.Delay(2*time.Second), watchtest.Close()), nil},
		{"a normal close after events in between", watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()), nil},
		{"an idle timeout in between", watchtest.Stream(), []watch.Option{watch.WithIdleTimeout(5 * time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				quick := watchtest.Stream(watchtest.Close())
				src := watchtest.NewSource(quick, tt.between, quick, quick,
					watchtest.Stream(watchtest.Added(obj("z", "9")))) // then stays open
				var rs restarts
				w := watch.New(newRecorder(), append(tt.opts, watch.WithPolicy(policy), rs.hook())...)
				require.NoError(t, w.Add("pods", src))
				run := start(t, w)
				time.Sleep(time.Minute)
				require.NoError(t, run.stop())
				require.GreaterOrEqual(t, len(rs), 4)
				assert.Equal(t, []time.Duration{0, 0, 0, time.Second}, rs.delays()[:4],
					"the quick close after %s is the first of a row again", tt.name)
			})
		})
	}
}

func TestAStreamWhoseOnlyBookmarkDoesNotMoveTheResumePointClosesEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		same := watchtest.Stream(watchtest.Bookmark("3"), watchtest.Close())
		src := watchtest.NewSource(same, same, watchtest.Stream())
		var rs restarts
		w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
		require.NoError(t, w.Add("pods", src, watch.WithResourceVersion("3")))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []time.Duration{0, time.Second}, rs.delays(), "the second such stream in a row backs off")
		assert.ErrorIs(t, rs[1].Err, watch.ErrClosedEarly)
	})
}
