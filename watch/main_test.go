package watch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiwatch "k8s.io/apimachinery/pkg/watch"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/watch"
	"github.com/steadfast-go/steadfast/watch/watchtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// obj is a namespaced test object; the watch package reads only its metadata.
func obj(name, rv string) *metav1.PartialObjectMetadata { return watchtest.Object("ns", name, rv) }

// policy is a jitter-free backoff with round numbers, so tests can assert exact delays:
// 1s, 2s, 4s, ... for at most a minute.
var policy = backoff.Policy{Initial: time.Second, Multiplier: 2, Max: 30 * time.Second,
	Jitter: backoff.NoJitter, MaxElapsed: time.Minute}

// recorder is a Handler that records every call as "TYPE name@rv", can fail chosen calls,
// and checks that it is never called concurrently for one resource.
type recorder struct {
	mu       sync.Mutex
	calls    []string
	times    []time.Time    // of each call
	fail     map[string]int // call string -> how many more times to fail it
	block    chan struct{}  // when not nil, each call waits for it (or ctx)
	inflight map[string]bool
	overlap  bool
}

func newRecorder() *recorder {
	return &recorder{fail: map[string]int{}, inflight: map[string]bool{}}
}

func (r *recorder) Handle(ctx context.Context, resource string, ev apiwatch.Event) error {
	call := describe(ev)
	r.mu.Lock()
	if r.inflight[resource] {
		r.overlap = true
	}
	r.inflight[resource] = true
	r.calls = append(r.calls, call)
	r.times = append(r.times, time.Now())
	n := r.fail[call]
	if n > 0 {
		r.fail[call] = n - 1
	}
	block := r.block
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inflight[resource] = false
		r.mu.Unlock()
	}()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			time.Sleep(time.Second) // a handler finishing its work after cancel (fake time: tests run this inside synctest)
			return ctx.Err()
		}
	}
	if n > 0 {
		return fmt.Errorf("handler failed on %s", call)
	}
	return nil
}

func (r *recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Gaps returns the time between consecutive calls.
func (r *recorder) Gaps() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gaps []time.Duration
	for i := 1; i < len(r.times); i++ {
		gaps = append(gaps, r.times[i].Sub(r.times[i-1]))
	}
	return gaps
}

// describe renders an event as "TYPE name@rv".
func describe(ev apiwatch.Event) string {
	m, err := meta.Accessor(ev.Object)
	if err != nil {
		return fmt.Sprintf("%s %T", ev.Type, ev.Object)
	}
	return fmt.Sprintf("%s %s@%s", ev.Type, m.GetName(), m.GetResourceVersion())
}

// running is a Watcher's Run on its own goroutine.
type running struct {
	cancel context.CancelFunc
	errc   chan error
}

func start(t *testing.T, w *watch.Watcher) *running {
	ctx, cancel := context.WithCancel(t.Context())
	r := &running{cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- w.Run(ctx) }()
	return r
}

// stop cancels Run's context and returns what Run returned.
func (r *running) stop() error {
	r.cancel()
	return <-r.errc
}
