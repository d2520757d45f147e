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
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestAZeroOrNegativeRetryAfterNeverShortensTheBackoff(t *testing.T) {
	hints := []struct {
		name string
		err  error
	}{
		{"500 ServerTimeout with RetryAfterSeconds 0", apierrors.NewServerTimeout(pods, "watch", 0)},
		{"500 ServerTimeout with a negative RetryAfterSeconds", apierrors.NewServerTimeout(pods, "watch", -5)},
		{"429 with RetryAfterSeconds 0", apierrors.NewTooManyRequests("slow down", 0)},
		{"429 without details", apierrors.NewTooManyRequestsError("slow down")},
		{"504 with RetryAfterSeconds 0", apierrors.NewTimeoutError("slow", 0)},
	}
	for _, hint := range hints {
		for _, where := range []string{"at open", "as an error event"} {
			t.Run(hint.name+" "+where, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					src := watchtest.NewSource()
					src.Then(func(call int, _ metav1.ListOptions) watchtest.Open {
						switch {
						case call >= 4: // ends a hot loop, which would never let fake time pass
							return watchtest.Stream()
						case where == "at open":
							return watchtest.Fail(hint.err)
						}
						return watchtest.Stream(watchtest.Error(hint.err))
					})
					var rs restarts
					w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
					require.NoError(t, w.Add("pods", src))
					run := start(t, w)
					time.Sleep(time.Minute)
					require.NoError(t, run.stop())
					assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, rs.delays())
				})
			})
		}
	}
}

func TestAHandlerRetryAfterOfZeroOrLessNeverShortensTheBackoff(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		t.Run(d.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Stream(watchtest.Added(obj("a", "1"))))
				var times []time.Time
				w := watch.New(watch.HandlerFunc(func(context.Context, string, apiwatch.Event) error {
					if times = append(times, time.Now()); len(times) <= 3 {
						return backoff.RetryAfter(d, errors.New("busy"))
					}
					return nil
				}), watch.WithPolicy(policy))
				require.NoError(t, w.Add("pods", src))
				run := start(t, w)
				time.Sleep(time.Minute)
				require.NoError(t, run.stop())
				require.Len(t, times, 4)
				for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
					assert.Equal(t, want, times[i+1].Sub(times[i]))
				}
			})
		})
	}
}

func TestAPositiveRetryAfterSetsTheDelayAlsoBelowTheBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail(unavailable()), watchtest.Fail(unavailable()),
			watchtest.Fail(unavailable()), watchtest.Fail(apierrors.NewTooManyRequests("soon", 1)), watchtest.Stream())
		var rs restarts
		w := watch.New(newRecorder(), watch.WithPolicy(policy), rs.hook())
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second}, rs.delays(),
			"the server's 1s replaces the 8s the backoff had come to")
	})
}

func TestAStatusCodeDecidesBeforeItsReason(t *testing.T) {
	status := func(code int32, reason metav1.StatusReason) error {
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: reason}}
	}
	tests := []struct {
		name string
		err  error
		want string // "relist", "reject" or "retry"
	}{
		{"404 with reason Expired", status(404, metav1.StatusReasonExpired), "reject"},
		{"410 with reason Forbidden", status(410, metav1.StatusReasonForbidden), "relist"},
		{"403 with reason TooManyRequests", status(403, metav1.StatusReasonTooManyRequests), "reject"},
		{"500 with reason NotFound", status(500, metav1.StatusReasonNotFound), "reject"},
		{"no code with reason Gone", status(0, metav1.StatusReasonGone), "relist"},
		{"500 with reason InternalError", status(500, metav1.StatusReasonInternalError), "retry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Stream(watchtest.Error(tt.err)), watchtest.Stream())
				var relisted, restarted bool
				w := watch.New(newRecorder(), watch.WithPolicy(policy),
					watch.WithHooks(watch.Hooks{OnRelist: func(watch.Relist) { relisted = true }}),
					watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) { restarted = restarted || r.Delay > 0 }}))
				require.NoError(t, w.Add("pods", src))
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				err := w.Run(ctx)
				switch tt.want {
				case "reject":
					assert.ErrorIs(t, err, watch.ErrRejected)
				case "relist":
					assert.NoError(t, err)
					assert.True(t, relisted, "no relist")
				default:
					assert.NoError(t, err)
					assert.True(t, restarted && !relisted, "not retried after a backoff")
				}
			})
		})
	}
}
