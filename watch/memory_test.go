package watch_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestWithoutAListFunctionOnlyTheResumePointIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 10,000 objects with names of 1 KB each, delivered and gone: kept, they would be 10 MB.
		const streams, perStream = 20, 500
		long := strings.Repeat("x", 1000)
		src := watchtest.NewSource()
		src.Then(func(call int, _ metav1.ListOptions) watchtest.Open {
			if call >= streams {
				return watchtest.Stream()
			}
			items := make([]watchtest.Item, 0, perStream+1)
			for i := range perStream {
				rv := strconv.Itoa(call*perStream + i + 1)
				items = append(items, watchtest.Added(obj(long+rv, rv)))
			}
			return watchtest.Stream(append(items, watchtest.Close())...)
		})
		w := watch.New(watch.HandlerFunc(func(context.Context, string, apiwatch.Event) error { return nil }))
		require.NoError(t, w.Add("pods", src))
		before := heapInUse()
		run := start(t, w)
		synctest.Wait()
		require.Equal(t, strconv.Itoa(streams*perStream), w.Status()["pods"].ResourceVersion)
		grown := int64(heapInUse()) - int64(before)
		require.NoError(t, run.stop())
		assert.Less(t, grown, int64(1<<20), "the resource kept what it delivered")
	})
}
