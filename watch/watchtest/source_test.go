package watchtest_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestASourceThatIsNeverWatchedStartsNothing(t *testing.T) {
	src := watchtest.NewSource(watchtest.Stream(watchtest.Added(watchtest.Object("ns", "a", "1"))))
	assert.Empty(t, src.Calls())
	assert.Zero(t, src.Open())
}

func TestAStreamPlaysItsItemsInOrderThenCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Stream(
			watchtest.Added(watchtest.Object("ns", "a", "1")), watchtest.Delay(time.Second),
			watchtest.Bookmark("2"), watchtest.Gone(), watchtest.Close(),
			watchtest.Added(watchtest.Object("ns", "never", "3"))))
		w, err := src.Watch(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
		require.NoError(t, err)
		begin := time.Now()
		var types []apiwatch.EventType
		for ev := range w.ResultChan() {
			types = append(types, ev.Type)
			if ev.Type == apiwatch.Error {
				assert.True(t, apierrors.IsResourceExpired(apierrors.FromObject(ev.Object)))
			}
		}
		assert.Equal(t, []apiwatch.EventType{apiwatch.Added, apiwatch.Bookmark, apiwatch.Error}, types)
		assert.Equal(t, time.Second, time.Since(begin), "the delay passes in fake time")
		w.Stop()
		synctest.Wait()
		assert.Zero(t, src.Open())
	})
}

func TestStopEndsAStreamThatStaysOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource() // past the script: open and silent
		w, err := src.Watch(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, 1, src.Open())
		w.Stop()
		w.Stop() // twice is fine
		_, ok := <-w.ResultChan()
		assert.False(t, ok, "the channel closes when the stream is stopped")
		synctest.Wait()
		assert.Zero(t, src.Open())
	})
}

func TestCallsAreRecordedAndThenDecidesPastTheScript(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("connection refused")
		src := watchtest.NewSource(watchtest.Fail(boom))
		src.Then(func(call int, opts metav1.ListOptions) watchtest.Open {
			return watchtest.Fail(errors.New(opts.ResourceVersion))
		})
		_, err := src.Watch(t.Context(), metav1.ListOptions{ResourceVersion: "5"})
		assert.ErrorIs(t, err, boom)
		_, err = src.Watch(t.Context(), metav1.ListOptions{ResourceVersion: "6"})
		assert.EqualError(t, err, "6")
		calls := src.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, "5", calls[0].ResourceVersion)
		objs, rv, err := src.List(t.Context(), metav1.ListOptions{Limit: 3})
		assert.NoError(t, err)
		assert.Empty(t, objs)
		assert.Equal(t, "1", rv)
		assert.Equal(t, int64(3), src.ListCalls()[0].Limit)
	})
}

func TestErrorItemsCarryTheStatusOfTheError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int32
	}{
		{"an API error keeps its status", apierrors.NewForbidden(metav1.SchemeGroupVersion.WithResource("x").GroupResource(), "", errors.New("no")), 403},
		{"another error is a 500", errors.New("disk full"), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := watchtest.NewSource(watchtest.Stream(watchtest.Error(tt.err), watchtest.Close()))
				w, err := src.Watch(t.Context(), metav1.ListOptions{})
				require.NoError(t, err)
				ev := <-w.ResultChan()
				st, ok := ev.Object.(*metav1.Status)
				require.True(t, ok)
				assert.Equal(t, tt.code, st.Code)
				w.Stop()
			})
		})
	}
}
