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

// Provider is a simulated bare-metal provider with latency and failures, the other side of the
// demo's control loops. Its calls are idempotent per machine, as a real provider's are with the
// machine's id as the request key, so a call repeated by a worker whose lease was taken over
// does no harm. It is safe for concurrent use. The zero value answers at once and never fails.
type Provider struct {
	Latency    time.Duration // mean latency of a call; each call takes 0.5x to 1.5x of it
	FailRate   float64       // chance that a call fails with ErrProviderFailed
	BusyRate   float64       // chance that a call fails with a backoff.RetryAfter hint of Latency
	BrokenRate float64       // chance that a machine is found broken by its first Install
	Seed       uint64        // decides which machines are broken

	mu    sync.Mutex
	rng   *rand.Rand
	calls map[string]int
}

// Provision creates the machine at the provider.
func (p *Provider) Provision(ctx context.Context, machine string) error {
	return p.call(ctx, "provision", machine)
}

// Install installs the agent on the machine; attempt counts the tries (1 for the first: the
// fencing token of the lease does). A machine chosen by BrokenRate (deterministically from Seed
// and its id) is found broken by the first attempt that reaches it, a permanent
// [ErrMachineBroken]; later attempts, after a repair, succeed. Deciding from the attempt, not
// from memory, keeps providers in several processes in agreement.
func (p *Provider) Install(ctx context.Context, machine string, attempt int64) error {
	if err := p.call(ctx, "install", machine); err != nil {
		return err
	}
	if attempt == 1 && p.Broken(machine) {
		return backoff.Permanent(fmt.Errorf("install on %s: %w", machine, ErrMachineBroken))
	}
	return nil
}

// Repair fixes a broken machine.
func (p *Provider) Repair(ctx context.Context, machine string) error {
	return p.call(ctx, "repair", machine)
}

// Calls returns how many calls of op (provision, install or repair) the provider answered.
func (p *Provider) Calls(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[op]
}

// Broken reports whether machine is one that Install finds broken at its first attempt.
func (p *Provider) Broken(machine string) bool {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", p.Seed, machine)
	return float64(h.Sum64()%1_000_000)/1_000_000 < p.BrokenRate
}

// call waits out the latency and then fails at the configured rates.
func (p *Provider) call(ctx context.Context, op, machine string) error {
	p.mu.Lock()
	if p.rng == nil {
		p.rng = rand.New(rand.NewPCG(p.Seed, 42))
		p.calls = map[string]int{}
	}
	wait := time.Duration(float64(p.Latency) * (0.5 + p.rng.Float64()))
	r := p.rng.Float64()
	p.mu.Unlock()
	if wait > 0 && !backoff.Sleep(ctx, wait) {
		return fmt.Errorf("%s %s: %w", op, machine, context.Cause(ctx))
	}
	p.mu.Lock()
	p.calls[op]++
	p.mu.Unlock()
	switch {
	case r < p.FailRate:
		return fmt.Errorf("%s %s: %w", op, machine, ErrProviderFailed)
	case r < p.FailRate+p.BusyRate:
		return backoff.RetryAfter(p.Latency, fmt.Errorf("%s %s: provider busy: %w", op, machine, ErrProviderFailed))
	}
	return nil
}
