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
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

var pods = schema.GroupResource{Resource: "pods"}

func TestRejectionsAndMalformedStreamsGiveUpAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		open   watchtest.Open
		reason error
	}{
		{"401 at open", watchtest.Fail(apierrors.NewUnauthorized("who are you")), watch.ErrRejected},
		{"a Permanent error at open", watchtest.Fail(backoff.Permanent(watchtest.GoneError())), watch.ErrPermanent},
		{"403 at open", watchtest.Fail(apierrors.NewForbidden(pods, "", errors.New("no"))), watch.ErrRejected},
		{"404 at open", watchtest.Fail(apierrors.NewNotFound(pods, "")), watch.ErrRejected},
		{"400 at open", watchtest.Fail(apierrors.NewBadRequest("bad selector")), watch.ErrRejected},
		{"403 as an error event mid-stream", watchtest.Stream(watchtest.Added(obj("a", "1")),
			watchtest.Error(apierrors.NewForbidden(pods, "", errors.New("revoked")))), watch.ErrRejected},
		{"a bookmark without a resourceVersion", watchtest.Stream(watchtest.Bookmark("")), watch.ErrMalformed},
		{"an event without an object", watchtest.Stream(watchtest.Added(nil)), watch.ErrMalformed},
		{"an object without metadata", watchtest.Stream(watchtest.Added(&runtime.Unknown{})), watch.ErrMalformed},
		{"an unknown event type", watchtest.Stream(watchtest.Event("SURPRISE", obj("a", "1"))), watch.ErrMalformed},
		{"an error event whose object is not a Status",
			watchtest.Stream(watchtest.Event(apiwatch.Error, obj("a", "1"))), watch.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var hooked *watch.GiveUpError
				w := watch.New(newRecorder(), watch.WithHooks(watch.Hooks{OnGiveUp: func(e *watch.GiveUpError) { hooked = e }}))
				require.NoError(t, w.Add("pods", watchtest.NewSource(tt.open)))
				err := w.Run(t.Context())
				var gu *watch.GiveUpError
				require.ErrorAs(t, err, &gu)
				assert.ErrorIs(t, err, watch.ErrGaveUp)
				assert.ErrorIs(t, err, tt.reason)
				assert.Equal(t, "pods", gu.Resource)
				assert.NotNil(t, gu.Last, "the last error is kept")
				assert.Same(t, gu, hooked, "OnGiveUp saw the error Run returned")
				assert.False(t, w.Healthy())
				assert.Equal(t, watch.StateFailed, w.Status()["pods"].State)
			})
		})
	}
}

func TestOtherFailuresAreRetriedAfterBackoffFromTheSameVersion(t *testing.T) {
	tests := []struct {
		name      string
		fault     watchtest.Open
		wantDelay time.Duration
	}{
		{"500 at open", watchtest.Fail(apierrors.NewInternalError(errors.New("etcd"))), time.Second},
		{"a connection error at open", watchtest.Fail(errors.New("connection refused")), time.Second},
		{"500 as an error event", watchtest.Stream(watchtest.Error(apierrors.NewInternalError(errors.New("etcd")))), time.Second},
		{"429 with Retry-After honours the server's delay",
			watchtest.Fail(apierrors.NewTooManyRequests("slow down", 7)), 7 * time.Second},
		{"resourceVersion too large, retried after the server's hint",
			watchtest.Stream(watchtest.Error(apierrors.NewTimeoutError("Too large resource version", 3))), 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(
					watchtest.Stream(watchtest.Added(obj("a", "1")), watchtest.Close()),
					tt.fault, watchtest.Stream(watchtest.Added(obj("b", "2"))))
				var restarts []watch.Restart
				h := newRecorder()
				w := watch.New(h, watch.WithPolicy(policy),
					watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarts = append(restarts, r) }}))
				require.NoError(t, w.Add("pods", src))
				run := start(t, w)
				time.Sleep(time.Minute)
				require.NoError(t, run.stop())
				assert.Equal(t, []string{"ADDED a@1", "ADDED b@2"}, h.Calls())
				require.Len(t, restarts, 2)
				assert.Equal(t, tt.wantDelay, restarts[1].Delay)
				assert.Equal(t, 1, restarts[1].Attempt)
				calls := src.Calls()
				require.Len(t, calls, 3)
				assert.Equal(t, "1", calls[2].ResourceVersion)
				assert.True(t, w.Healthy())
			})
		})
	}
}

func TestAResourceThatKeepsFailingGivesUpAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource()
		src.Then(func(int, metav1.ListOptions) watchtest.Open {
			return watchtest.Fail(apierrors.NewServiceUnavailable("down"))
		})
		w := watch.New(newRecorder(), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		begin := time.Now()
		err := w.Run(t.Context())
		assert.Equal(t, time.Minute, time.Since(begin), "the last attempt lands on the deadline")
		var gu *watch.GiveUpError
		require.ErrorAs(t, err, &gu)
		assert.ErrorIs(t, gu.Reason, backoff.ErrDeadline)
		assert.True(t, apierrors.IsServiceUnavailable(gu.Last), "last error: %v", gu.Last)
		assert.Contains(t, err.Error(), `"pods"`)
		st := w.Status()["pods"]
		assert.Equal(t, watch.StateFailed, st.State)
		assert.Equal(t, 7, st.Attempts) // at 0, 1, 3, 7, 15, 31 and 60 seconds
	})
}

func TestARetryAfterBeyondTheBudgetGivesUpAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(apierrors.NewTooManyRequests("later", 3600)))
		w := watch.New(newRecorder(), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		begin := time.Now()
		err := w.Run(t.Context())
		assert.ErrorIs(t, err, backoff.ErrDeadline)
		assert.Zero(t, time.Since(begin))
	})
}

func TestAPermanentHandlerErrorGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		boom := errors.New("cannot handle this")
		w := watch.New(watch.HandlerFunc(func(context.Context, string, apiwatch.Event) error {
			return backoff.Permanent(boom)
		}))
		require.NoError(t, w.Add("pods", src))
		err := w.Run(t.Context())
		assert.ErrorIs(t, err, watch.ErrPermanent)
		assert.ErrorIs(t, err, boom)
	})
}

func TestAHandlerRetryAfterSetsTheRedeliveryDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
		var times []time.Time
		w := watch.New(watch.HandlerFunc(func(context.Context, string, apiwatch.Event) error {
			times = append(times, time.Now())
			if len(times) == 1 {
				return backoff.RetryAfter(5*time.Second, errors.New("busy"))
			}
			return nil
		}), watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		require.Len(t, times, 2)
		assert.Equal(t, 5*time.Second, times[1].Sub(times[0]))
	})
}

func TestGivingUpStopsTheOtherResourcesAndWaitsForTheirHandlers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRecorder()
		h.block = make(chan struct{}) // the good resource's handler runs until cancelled
		w := watch.New(h)
		require.NoError(t, w.Add("good", watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))))
		require.NoError(t, w.Add("bad", watchtest.NewSource(
			watchtest.Stream(watchtest.Delay(time.Second), watchtest.Error(apierrors.NewUnauthorized("expired"))))))
		begin := time.Now()
		err := w.Run(t.Context())
		assert.ErrorIs(t, err, watch.ErrRejected)
		assert.Equal(t, 2*time.Second, time.Since(begin), "gave up at 1s, the handler took 1s more after cancel")
		st := w.Status()
		assert.Equal(t, watch.StateFailed, st["bad"].State)
		assert.Equal(t, watch.StateStopped, st["good"].State)
	})
}

func TestASourceReturningNoStreamAndNoErrorIsMalformed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := watch.New(newRecorder())
		src := watch.SourceFunc(func(context.Context, metav1.ListOptions) (apiwatch.Interface, error) { return nil, nil })
		require.NoError(t, w.Add("pods", src))
		assert.ErrorIs(t, w.Run(t.Context()), watch.ErrMalformed)
	})
}

func TestGiveUpErrorsReadEachPartOnce(t *testing.T) {
	tests := []struct {
		name string
		src  watch.Source
		h    watch.HandlerFunc
		opts []watch.ResourceOption
		want string
	}{
		{name: "a malformed event", src: watchtest.NewSource(watchtest.Stream(watchtest.Bookmark(""))),
			want: `watch: resource "pods" gave up: malformed stream: last error: BOOKMARK event: *v1.PartialObjectMetadata has no resourceVersion`},
		{name: "an ADDED event without an object", src: watchtest.NewSource(watchtest.Stream(watchtest.Added(nil))),
			want: `watch: resource "pods" gave up: malformed stream: last error: ADDED event: no object`},
		{name: "a source returning nothing",
			src:  watch.SourceFunc(func(context.Context, metav1.ListOptions) (apiwatch.Interface, error) { return nil, nil }),
			want: `watch: resource "pods" gave up: malformed stream: last error: Watch returned neither a stream nor an error`},
		{name: "a malformed list", src: watchtest.NewSource(watchtest.Fail(watchtest.GoneError())),
			opts: []watch.ResourceOption{watch.WithList(listOf(""))},
			want: `watch: resource "pods" gave up: malformed stream: last error: list returned no resourceVersion`},
		{name: "a rejection", src: watchtest.NewSource(watchtest.Fail(apierrors.NewUnauthorized("who are you"))),
			want: `watch: resource "pods" gave up: request rejected: last error: open: who are you`},
		{name: "a Retry-After beyond the budget", src: watchtest.NewSource(watchtest.Fail(apierrors.NewTooManyRequests("later", 3600))),
			want: `watch: resource "pods" gave up: backoff: deadline passed: last error: open: later`},
		{name: "a permanent handler error", src: watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1")))),
			h: func(context.Context, string, apiwatch.Event) error {
				return backoff.Permanent(errors.New("cannot handle this"))
			},
			want: `watch: resource "pods" gave up: permanent error: last error: cannot handle this`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var h watch.Handler = newRecorder()
				if tt.h != nil {
					h = tt.h
				}
				w := watch.New(h, watch.WithPolicy(policy))
				require.NoError(t, w.Add("pods", tt.src, tt.opts...))
				err := w.Run(t.Context())
				require.Error(t, err)
				assert.Equal(t, tt.want, err.Error())
			})
		})
	}
}
