package watchetcd_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/examples/watchetcd"
	"github.com/steadfast-go/steadfast/examples/watchetcd/etcdtest"
)

// next reads one event, failing the test after 10 seconds.
func next(t *testing.T, w apiwatch.Interface) apiwatch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("stream closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event after 10s")
	}
	return apiwatch.Event{}
}

func rvOf(t *testing.T, ev apiwatch.Event) (string, int64) {
	t.Helper()
	cm, ok := ev.Object.(*corev1.ConfigMap)
	if !ok {
		t.Fatalf("%s event of %T", ev.Type, ev.Object)
	}
	rv, err := strconv.ParseInt(cm.ResourceVersion, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q", cm.ResourceVersion)
	}
	return cm.Name, rv
}

func TestTheSourceMapsEtcdAsTheAPIServerWould(t *testing.T) {
	srv := etcdtest.Start(t, etcdtest.WithFlags("--experimental-watch-progress-notify-interval=200ms"))
	c := srv.Client()
	src := watchetcd.New(c, prefix, watchetcd.WithProgressNotify())
	ctx := context.Background()
	w := &writer{t: t, c: c, live: map[string]bool{}}
	r1 := w.put("a", "1")
	r2 := w.put("b", string([]byte{0xff, 0xfe}))
	if _, err := c.Put(ctx, "/registry/other/x", "out of the prefix"); err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		objs, rv, err := src.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 2 || rv != strconv.FormatInt(r2+1, 10) {
			t.Fatalf("%d objects at %s, want 2 at %d", len(objs), rv, r2+1)
		}
		a, b := objs[0].(*corev1.ConfigMap), objs[1].(*corev1.ConfigMap)
		if a.Name != "a" || a.Data[watchetcd.ValueKey] != "1" || a.ResourceVersion != strconv.FormatInt(r1, 10) {
			t.Errorf("a: %+v", a)
		}
		if b.Name != "b" || string(b.BinaryData[watchetcd.ValueKey]) != "\xff\xfe" || b.Data != nil {
			t.Errorf("b: %+v", b)
		}
		if _, _, err := src.List(ctx, metav1.ListOptions{LabelSelector: "x=y"}); !apierrors.IsBadRequest(err) {
			t.Errorf("a selector: %v, want 400", err)
		}
	})

	t.Run("watch from a revision", func(t *testing.T) {
		st, err := src.Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(r1, 10)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		if ev := next(t, st); ev.Type != apiwatch.Added {
			t.Fatalf("%s, want Added b", ev.Type)
		} else if name, rv := rvOf(t, ev); name != "b" || rv != r2 {
			t.Fatalf("%s at %d, want b at %d", name, rv, r2)
		}
		r3 := w.put("a", "2")
		r4 := w.del("a")
		for _, want := range []struct {
			typ apiwatch.EventType
			rev int64
			val string
		}{{apiwatch.Modified, r3, "2"}, {apiwatch.Deleted, r4, "2"}} {
			ev := next(t, st)
			if ev.Type == apiwatch.Bookmark {
				ev = next(t, st)
			}
			name, rv := rvOf(t, ev)
			if ev.Type != want.typ || name != "a" || rv != want.rev || ev.Object.(*corev1.ConfigMap).Data[watchetcd.ValueKey] != want.val {
				t.Fatalf("%s %s at %d %v, want %s a at %d", ev.Type, name, rv, ev.Object, want.typ, want.rev)
			}
		}
	})

	t.Run("bookmarks only when allowed, and only forward", func(t *testing.T) {
		rev := w.put("c", "1")
		st, err := src.Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(rev, 10), AllowWatchBookmarks: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		plain, err := src.Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(rev, 10)})
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Stop()
		// The notifications at rev, the stream's start, are dropped; a write out of the prefix
		// moves the revision, and the next notification is a bookmark there.
		out, err := c.Put(ctx, "/registry/other/y", "1")
		if err != nil {
			t.Fatal(err)
		}
		ev := next(t, st)
		if _, rv := rvOf(t, ev); ev.Type != apiwatch.Bookmark || rv != out.Header.Revision {
			t.Fatalf("%s at %d, want a bookmark at %d", ev.Type, rv, out.Header.Revision)
		}
		// Without AllowWatchBookmarks, the next event is the next write in the prefix.
		r := w.put("c", "2")
		if ev := next(t, plain); ev.Type != apiwatch.Modified {
			t.Fatalf("%s, want Modified", ev.Type)
		} else if _, rv := rvOf(t, ev); rv != r {
			t.Fatalf("at %d, want %d", rv, r)
		}
	})

	t.Run("from empty sends every key", func(t *testing.T) {
		st, err := src.Watch(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		names := map[string]bool{}
		for range 2 {
			ev := next(t, st)
			name, _ := rvOf(t, ev)
			if ev.Type != apiwatch.Added {
				t.Fatalf("%s %s, want Added", ev.Type, name)
			}
			names[name] = true
		}
		if !names["b"] || !names["c"] {
			t.Fatalf("%v, want b and c", names)
		}
		r := w.put("d", "1")
		if ev := next(t, st); ev.Type != apiwatch.Added {
			t.Fatalf("%s, want Added d", ev.Type)
		} else if name, rv := rvOf(t, ev); name != "d" || rv != r {
			t.Fatalf("%s at %d, want d at %d", name, rv, r)
		}
	})

	t.Run("a compacted revision is 410 Expired, then the stream closes", func(t *testing.T) {
		rev := w.put("e", "1")
		srv.Compact(ctx, rev)
		st, err := src.Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(r1, 10)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		ev := next(t, st)
		status, ok := ev.Object.(*metav1.Status)
		if ev.Type != apiwatch.Error || !ok || status.Code != 410 || status.Reason != metav1.StatusReasonExpired {
			t.Fatalf("%s %v, want an error event 410 Expired", ev.Type, ev.Object)
		}
		select {
		case _, ok := <-st.ResultChan():
			if ok {
				t.Fatal("an event after the error")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("not closed after the error")
		}
	})

	t.Run("bad input is 400", func(t *testing.T) {
		for _, opts := range []metav1.ListOptions{{ResourceVersion: "x"}, {ResourceVersion: "-2"}, {FieldSelector: "a=b"}} {
			if st, err := src.Watch(ctx, opts); !apierrors.IsBadRequest(err) || st != nil {
				t.Errorf("%+v: %v, want 400", opts, err)
			}
		}
	})

	t.Run("lists in pages at one revision", func(t *testing.T) {
		many := watchetcd.New(c, "/registry/many/")
		for p := range 10 {
			var ops []clientv3.Op
			for i := range 120 {
				ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/many/%04d", p*120+i), "x"))
			}
			if _, err := c.Txn(ctx).Then(ops...).Commit(); err != nil {
				t.Fatal(err)
			}
		}
		objs, rv, err := many.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Get(ctx, "/registry/many/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 1200 || rv != strconv.FormatInt(resp.Header.Revision, 10) {
			t.Fatalf("%d objects at %s, want 1200 at %d", len(objs), rv, resp.Header.Revision)
		}
		for i, o := range objs {
			if name := o.(*corev1.ConfigMap).Name; name != fmt.Sprintf("%04d", i) {
				t.Fatalf("object %d is %s", i, name)
			}
		}
	})

	t.Run("a closed client closes streams, and lists are 500 InternalError", func(t *testing.T) {
		c2 := srv.Client()
		src2 := watchetcd.New(c2, prefix)
		st, err := src2.Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(r1, 10)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		next(t, st) // b at r2: the stream is open
		if err := c2.Close(); err != nil {
			t.Fatal(err)
		}
		closedAfter := func(st apiwatch.Interface) string {
			var got []string
			for ev := range st.ResultChan() {
				got = append(got, fmt.Sprintf("%s %v", ev.Type, ev.Object))
			}
			return fmt.Sprint(got)
		}
		if got := closedAfter(st); got != "[]" {
			t.Errorf("open stream: %s, want a close with no event", got)
		}
		st2, err := src2.Watch(ctx, metav1.ListOptions{ResourceVersion: "1"})
		if err != nil {
			t.Fatal(err)
		}
		defer st2.Stop()
		if got := closedAfter(st2); got != "[]" {
			t.Errorf("new stream: %s, want a close with no event", got)
		}
		if _, _, err := src2.List(ctx, metav1.ListOptions{}); !apierrors.IsInternalError(err) {
			t.Fatalf("list on a closed client: %v, want 500", err)
		}
	})

	t.Run("the channel closes when the context ends", func(t *testing.T) {
		wctx, cancel := context.WithCancel(ctx)
		st, err := src.Watch(wctx, metav1.ListOptions{ResourceVersion: "1"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Stop()
		cancel()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case ev, ok := <-st.ResultChan():
				if !ok {
					return
				}
				if ev.Type == apiwatch.Error {
					t.Fatalf("an error event after the context ended: %v", ev.Object)
				}
			case <-deadline:
				t.Fatal("not closed after the context ended")
			}
		}
	})

	t.Run("stop closes the channel", func(t *testing.T) {
		st, err := src.Watch(ctx, metav1.ListOptions{ResourceVersion: "1"})
		if err != nil {
			t.Fatal(err)
		}
		st.Stop()
		st.Stop()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case _, ok := <-st.ResultChan():
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("not closed after Stop")
			}
		}
	})
}
