package watch_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestBrokenSourcesAndStreamsGiveUpAsMalformedAndNeverPanic(t *testing.T) {
	gone := watchtest.Fail(watchtest.GoneError())
	tests := []struct {
		name string
		src  watch.Source
		list watch.ListFunc
	}{
		{name: "a typed-nil stream", src: sourceOf((*brokenStream)(nil), nil)},
		{name: "a stream with a nil result channel", src: sourceOf(&brokenStream{}, nil)},
		{name: "a typed-nil object", src: watchtest.NewSource(watchtest.Stream(watchtest.Added((*metav1.PartialObjectMetadata)(nil))))},
		{name: "a typed-nil Status in an error event",
			src: watchtest.NewSource(watchtest.Stream(watchtest.Event(apiwatch.Error, (*metav1.Status)(nil))))},
		{name: "an error event without an object", src: watchtest.NewSource(watchtest.Stream(watchtest.Event(apiwatch.Error, nil)))},
		{name: "a bookmark without an object", src: watchtest.NewSource(watchtest.Stream(watchtest.Event(apiwatch.Bookmark, nil)))},
		{name: "a typed-nil object in a list", src: watchtest.NewSource(gone), list: listOf("5", (*metav1.PartialObjectMetadata)(nil))},
		{name: "a nil object in a list", src: watchtest.NewSource(gone), list: listOf("5", nil)},
		{name: "a typed-nil list from ListerOf", src: watchtest.NewSource(gone),
			list: watch.ListerOf(func(context.Context, metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) { return nil, nil })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := watch.New(newRecorder())
				var opts []watch.ResourceOption
				if tt.list != nil {
					opts = append(opts, watch.WithList(tt.list))
				}
				require.NoError(t, w.Add("pods", tt.src, opts...))
				err := w.Run(t.Context())
				assert.ErrorIs(t, err, watch.ErrMalformed)
				if s, ok := tt.src.(*watchtest.Source); ok {
					synctest.Wait()
					assert.Zero(t, s.Open(), "a stream was left open")
				}
			})
		})
	}
}

func TestATypedNilAPIErrorIsRetriedWithoutPanicking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := watchtest.NewSource(watchtest.Fail((*apierrors.StatusError)(nil)), watchtest.Stream(watchtest.Added(obj("a", "1"))))
		h := newRecorder()
		w := watch.New(h, watch.WithPolicy(policy))
		require.NoError(t, w.Add("pods", src))
		run := start(t, w)
		time.Sleep(time.Minute)
		require.NoError(t, run.stop())
		assert.Equal(t, []string{"ADDED a@1"}, h.Calls())
	})
}

func TestNilsAreRejectedOrIgnored(t *testing.T) {
	w := watch.New(newRecorder(), nil)
	assert.Error(t, w.Add("pods", (*watchtest.Source)(nil)), "a typed-nil Source")
	assert.Error(t, w.Add("pods", watch.SourceFunc(nil)), "a nil SourceFunc")
	assert.NoError(t, w.Add("pods", watchtest.NewSource(), nil), "a nil option is ignored")
	assert.PanicsWithValue(t, "watch: New with a nil Handler", func() { watch.New(watch.HandlerFunc(nil)) })
	assert.PanicsWithValue(t, "watch: New with a nil Handler", func() { watch.New((*recorder)(nil)) })
	assert.PanicsWithValue(t, "watch: New with a nil Handler", func() { watch.New(nil) })
}
