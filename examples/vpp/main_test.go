package vpp_test

import (
	"context"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeProber passes every check unless told to fail a backend's, and counts the checks.
type fakeProber struct {
	mu    sync.Mutex
	fail  map[string]error
	calls map[string]int
}

func newFakeProber() *fakeProber {
	return &fakeProber{fail: map[string]error{}, calls: map[string]int{}}
}

func (p *fakeProber) Probe(_ context.Context, b vpp.Backend) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[b.Name]++
	return p.fail[b.Name]
}

// set makes the backend's checks fail with err from now on (pass with nil).
func (p *fakeProber) set(backend string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[backend] = err
}

func (p *fakeProber) count(backend string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[backend]
}

// events collects transitions.
type events struct {
	mu  sync.Mutex
	evs []vpp.Event
}

func (e *events) record(ev vpp.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

// of returns the "from->to" of every event of a backend so far.
func (e *events) of(backend string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		if ev.Backend == backend {
			out = append(out, ev.From.String()+"->"+ev.To.String())
		}
	}
	return out
}

// run starts fn in a goroutine and returns a function that cancels it and returns its error.
func run(t *testing.T, fn func(context.Context) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

// gatedProber holds every check until release is closed, then answers with err.
type gatedProber struct {
	release chan struct{}
	err     error
}

func (p *gatedProber) Probe(ctx context.Context, _ vpp.Backend) error {
	select {
	case <-p.release:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
