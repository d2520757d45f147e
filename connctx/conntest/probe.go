package conntest

import (
	"context"
	"sync"

	"github.com/steadfast-go/steadfast/connctx"
)

// Probe is a fake connctx.Probe that succeeds, fails or hangs on command. It counts its calls.
// It is safe for concurrent use.
type Probe struct {
	mu    sync.Mutex
	err   error
	hang  bool
	calls int
}

var _ connctx.Probe = (*Probe)(nil)

// NewProbe returns a probe that succeeds until told otherwise.
func NewProbe() *Probe { return &Probe{} }

// Probe counts the call, then returns the error set by [Probe.Fail] (nil after [Probe.Pass]),
// or, after [Probe.Hang], blocks until ctx ends and returns its cause.
func (p *Probe) Probe(ctx context.Context) error {
	p.mu.Lock()
	p.calls++
	err, hang := p.err, p.hang
	p.mu.Unlock()
	if hang {
		<-ctx.Done()
		return context.Cause(ctx)
	}
	return err
}

// Fail makes every later call return err (a nil err is the same as [Probe.Pass]).
func (p *Probe) Fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err, p.hang = err, false
}

// Pass makes every later call succeed.
func (p *Probe) Pass() { p.Fail(nil) }

// Hang makes every later call block until its context ends: a peer that stopped answering.
func (p *Probe) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err, p.hang = nil, true
}

// Calls returns how many times Probe was called.
func (p *Probe) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}
