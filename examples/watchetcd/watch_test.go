package watchetcd_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/steadfast-go/steadfast/examples/watchetcd"
	"github.com/steadfast-go/steadfast/examples/watchetcd/etcdtest"
	"github.com/steadfast-go/steadfast/watch"
)

// started runs a Watcher with a cache over the prefix until the test ends.
type started struct {
	w     *watch.Watcher
	rec   *recorder
	list  *lister
	cache *watch.Cache[*corev1.ConfigMap]
	done  chan error
}

func startWatcher(t *testing.T, srv *etcdtest.Server, opts ...watch.Option) *started {
	t.Helper()
	return startOn(t, watchetcd.New(srv.Client(), prefix), opts...)
}

// startOn runs a Watcher with a cache over src until the test ends.
func startOn(t *testing.T, src *watchetcd.Source, opts ...watch.Option) *started {
	t.Helper()
	s := &started{list: &lister{src: src}, cache: watch.NewCache[*corev1.ConfigMap](), done: make(chan error, 1)}
	s.rec = newRecorder(s.list)
	opts = append(opts, watch.WithHooks(watch.Hooks{OnRelist: s.rec.relisting}))
	s.w = watch.New(s.rec, opts...)
	if err := s.w.Add("things", src, watch.WithList(s.list.List), watch.WithCache(s.cache)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { s.done <- s.w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

// converged waits until the cache holds what etcd holds and the handler has seen etcd's
// last revision.
func (s *started) converged(t *testing.T, srv *etcdtest.Server) {
	t.Helper()
	c := srv.Client()
	var want, got map[string]string
	eventually(t, 30*time.Second, "the cache equals etcd", func() bool {
		var rev int64
		want, rev = content(context.Background(), t, c)
		got = cached(s.cache)
		s.rec.mu.Lock()
		prev := s.rec.prev
		s.rec.mu.Unlock()
		return fmt.Sprint(want) == fmt.Sprint(got) && prev >= rev
	})
}

func TestTheCacheEqualsEtcdAfterThreeKillsMidWrites(t *testing.T) {
	srv := etcdtest.Start(t)
	s := startWatcher(t, srv)
	w := &writer{t: t, c: srv.Client(), live: map[string]bool{}}
	for range 20 {
		w.step()
	}
	for range 3 {
		for range 20 {
			w.step()
		}
		srv.Kill()
		srv.Restart()
		for range 20 { // the first ones wait for the restarted member to accept them
			w.step()
		}
	}
	s.converged(t, srv)
	s.rec.check(t)
	if !s.w.Healthy() {
		t.Errorf("unhealthy: %v", s.w.Status())
	}
	if n := s.list.lists(); n != 1 {
		t.Errorf("%d lists, want 1: no restart should relist", n)
	}
}

func TestACompactionWhileStoppedRelistsAndTombstonesTheDeletedKeys(t *testing.T) {
	srv := etcdtest.Start(t)
	c := srv.Client()
	w := &writer{t: t, c: c, live: map[string]bool{}}
	for i := range 10 {
		w.put(fmt.Sprintf("k%02d", i), "v0")
	}
	src := watchetcd.New(srv.Client(), prefix)
	list := &lister{src: src}
	rec := newRecorder(list)
	cache := watch.NewCache[*corev1.ConfigMap]()
	var relists []error
	wt := watch.New(rec, watch.WithHooks(watch.Hooks{OnRelist: func(r watch.Relist) {
		relists = append(relists, r.Err) // on the resource's goroutine, read after Run returned
		rec.relisting(r)
	}}))
	if err := wt.Add("things", src, watch.WithList(list.List), watch.WithCache(cache)); err != nil {
		t.Fatal(err)
	}
	run := func(until func() bool) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- wt.Run(ctx) }()
		eventually(t, 30*time.Second, "the cache equals etcd", until)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	equal := func() bool {
		want, rev := content(context.Background(), t, c)
		rec.mu.Lock()
		prev := rec.prev
		rec.mu.Unlock()
		return fmt.Sprint(want) == fmt.Sprint(cached(cache)) && prev >= rev
	}
	run(equal)

	// Stopped: keys deleted and changed, then the history compacted past the resume point.
	for i := range 4 {
		w.del(fmt.Sprintf("k%02d", i))
	}
	w.put("k05", "v1")
	rev := w.put("k10", "v1")
	srv.Compact(context.Background(), rev)

	run(equal)
	rec.check(t)
	if len(relists) != 1 || !isExpired(relists[0]) {
		t.Fatalf("relists %v, want one after 410 Expired", relists)
	}
	for i := range 4 {
		if name := fmt.Sprintf("k%02d", i); !rec.deleted[name] {
			t.Errorf("no Tombstone for %s", name)
		}
	}
	if len(rec.deleted) != 4 {
		t.Errorf("Tombstones for %v, want k00..k03", rec.deleted)
	}
}

func isExpired(err error) bool { return apierrors.IsResourceExpired(err) }
