package bmdb

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// ErrProviderFailed is matched by the transient failures of a [Provider]: retry later.
var ErrProviderFailed = errors.New("bmdb: provider failed")

// ErrMachineBroken is matched by the error a [Provider] returns when installing on a machine
// finds it broken: it is marked backoff.Permanent, and the machine needs recovery.
var ErrMachineBroken = errors.New("bmdb: machine broken")

// The operations of the demo's provider.
const (
	OpProvision = "provision"
	OpInstall   = "install"
	OpRepair    = "repair"
)

// Request is one call to a bare-metal provider: an operation on a machine, with the
// idempotency key of the attempt ([Lease.Key]), as a cloud API takes a request id. Requests
// with the same operation, machine and key are one request: the provider acts once and
// answers every repeat with the first answer.
type Request struct {
	Op      string
	Machine string
	Key     int64
}

// Cloud is the outside world the demo's loops act on. Call makes r happen, once per request
// (see [Request]), and must be safe for concurrent use.
type Cloud interface {
	Call(ctx context.Context, r Request) error
}

// CloudFunc adapts a function to [Cloud].
type CloudFunc func(ctx context.Context, r Request) error

var _ Cloud = CloudFunc(nil)

// Call calls f(ctx, r).
func (f CloudFunc) Call(ctx context.Context, r Request) error { return f(ctx, r) }

// Provider is a simulated bare-metal provider with latency and failures, the other side of the
// demo's control loops. It dedupes requests as a real provider does with request ids: a
// request that succeeded, or found the machine broken, is answered again with that answer and
// not acted on again; one still running makes its repeats wait for its answer; one that
// failed acted on nothing and may be tried again. So a call repeated by a worker whose lease
// was taken over does no harm. It remembers every request it saw. It is safe for concurrent
// use. The zero value answers at once and never fails.
type Provider struct {
	Latency    time.Duration // mean latency of a call; each call takes 0.5x to 1.5x of it
	FailRate   float64       // chance that a call fails with ErrProviderFailed
	BusyRate   float64       // chance that a call fails with a backoff.RetryAfter hint of Latency
	BrokenRate float64       // chance that a machine is found broken by its first install
	Seed       uint64        // decides which machines are broken

	mu       sync.Mutex
	rng      *rand.Rand
	requests map[Request]*request
	effects  map[string]map[string]int // op -> machine -> times acted
	replays  int
}

var _ Cloud = (*Provider)(nil)

// request is the provider's record of one request id.
type request struct {
	mu       sync.Mutex // held while the request runs: its repeats wait
	answered bool
	answer   error
}

// Call makes r happen (see [Request]): it waits out the latency, then fails at the configured
// rates or acts. An install with key 1, the first work on a machine chosen by BrokenRate
// (deterministically from Seed and its id), finds it broken, a permanent [ErrMachineBroken];
// later installs, after a repair, succeed. Deciding from the key, not from memory, keeps
// providers in several processes in agreement.
func (p *Provider) Call(ctx context.Context, r Request) error {
	req := p.record(r)
	req.mu.Lock()
	defer req.mu.Unlock()
	if req.answered {
		p.mu.Lock()
		p.replays++
		p.mu.Unlock()
		return req.answer
	}
	err := p.act(ctx, r)
	if err == nil || errors.Is(err, ErrMachineBroken) {
		req.answered, req.answer = true, err
	}
	return err
}

// record returns the record of r's request id, making it on first sight.
func (p *Provider) record(r Request) *request {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.requests == nil {
		p.rng = rand.New(rand.NewPCG(p.Seed, 42))
		p.requests = map[Request]*request{}
		p.effects = map[string]map[string]int{}
	}
	req := p.requests[r]
	if req == nil {
		req = &request{}
		p.requests[r] = req
	}
	return req
}

// act is one attempt at r: the latency, then a failure or the effect.
func (p *Provider) act(ctx context.Context, r Request) error {
	p.mu.Lock()
	wait := time.Duration(float64(p.Latency) * (0.5 + p.rng.Float64()))
	u := p.rng.Float64()
	p.mu.Unlock()
	if wait > 0 && !backoff.Sleep(ctx, wait) {
		return fmt.Errorf("%s %s: %w", r.Op, r.Machine, context.Cause(ctx))
	}
	switch {
	case u < p.FailRate:
		return fmt.Errorf("%s %s: %w", r.Op, r.Machine, ErrProviderFailed)
	case u < p.FailRate+p.BusyRate:
		return backoff.RetryAfter(p.Latency, fmt.Errorf("%s %s: provider busy: %w", r.Op, r.Machine, ErrProviderFailed))
	}
	p.mu.Lock()
	if p.effects[r.Op] == nil {
		p.effects[r.Op] = map[string]int{}
	}
	p.effects[r.Op][r.Machine]++
	p.mu.Unlock()
	if r.Op == OpInstall && r.Key == 1 && p.Broken(r.Machine) {
		return backoff.Permanent(fmt.Errorf("install on %s: %w", r.Machine, ErrMachineBroken))
	}
	return nil
}

// Effects returns how many times the provider acted on each machine for op (provision,
// install or repair): requests answered again from their first answer do not count.
func (p *Provider) Effects(op string) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for m, n := range p.effects[op] {
		out[m] = n
	}
	return out
}

// Replays returns how many requests were answered from an earlier answer without acting.
func (p *Provider) Replays() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.replays
}

// Broken reports whether machine is one that its first install finds broken.
func (p *Provider) Broken(machine string) bool {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", p.Seed, machine)
	return float64(h.Sum64()%1_000_000)/1_000_000 < p.BrokenRate
}
