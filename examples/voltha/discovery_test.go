package voltha_test

import (
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

func TestABusWatchReplaysFromItsResourceVersionThenFollows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := &voltha.Bus{}
		bus.Publish("olt-1", "rw-core1-0")
		bus.Publish("olt-2", "rw-core1-1")
		w, err := bus.Watch(t.Context(), metav1.ListOptions{ResourceVersion: "1"})
		require.NoError(t, err)
		next := func() *voltha.DeviceDiscovered {
			ev := <-w.ResultChan()
			require.Equal(t, apiwatch.Added, ev.Type)
			return ev.Object.(*voltha.DeviceDiscovered)
		}
		got := next()
		assert.Equal(t, []string{"olt-2", "rw-core1-1", "2"}, []string{got.Name, got.Core, got.ResourceVersion},
			"the events after version 1")
		bus.Publish("olt-3", "rw-core2-0")
		assert.Equal(t, "olt-3", next().Name, "then what is published")

		w.Stop()
		_, open := <-w.ResultChan()
		assert.False(t, open, "Stop closes the result channel")

		objs, rv, err := bus.List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		assert.Len(t, objs, 3)
		assert.Equal(t, "3", rv)
	})
}

func TestABusWatchFromAVersionThatIsNotANumberFromZeroFails(t *testing.T) {
	for _, rv := range []string{"x", "-1"} {
		_, err := (&voltha.Bus{}).Watch(t.Context(), metav1.ListOptions{ResourceVersion: rv})
		assert.Error(t, err, rv)
	}
}

// A discovery watch opened at any resourceVersion is a stream or an error, never a panic; a
// stream replays the events after the version.
func FuzzBusWatchResourceVersion(f *testing.F) {
	for _, s := range []string{"", "0", "1", "3", "-1", "x", "99999999999999999999", "+2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rv string) {
		bus := &voltha.Bus{}
		bus.Publish("olt-1", "rw-core1-0")
		bus.Publish("olt-2", "rw-core1-1")
		w, err := bus.Watch(t.Context(), metav1.ListOptions{ResourceVersion: rv})
		if err != nil {
			return
		}
		defer w.Stop()
		n, _ := strconv.Atoi(rv)
		if n < 2 {
			ev := <-w.ResultChan()
			want := strconv.Itoa(max(n, 0) + 1)
			if got := ev.Object.(*voltha.DeviceDiscovered).ResourceVersion; got != want {
				t.Fatalf("from %q the first event is %s, want %s", rv, got, want)
			}
		}
	})
}
