package convergetest

import (
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// PhaseScript is the life of one created resource. The zero PhaseScript is ready at once.
type PhaseScript struct {
	// PendingRefreshes is how many refreshes report pending before the resource settles.
	PendingRefreshes int
	// PendingFor is how long after its creation the resource is pending before it settles.
	// With PendingRefreshes, both must pass.
	PendingFor time.Duration
	// Fail makes the resource settle in PhaseFailed instead of PhaseReady.
	Fail bool
	// Stuck keeps the resource pending forever.
	Stuck bool
	// FailAfterReady, if positive, makes a resource that settled ready turn failed once this
	// many refreshes have seen it ready: a resource that worked, then broke.
	FailAfterReady int
	// DestroyTakes makes the deletion asynchronous, as many cloud APIs' is: Destroy returns nil
	// at once, but the resource is still observed (in its phase, and Create of its key fails)
	// until this long after the first such Destroy.
	DestroyTakes time.Duration
}

func (r *resource[R]) phase(now time.Time) converge.Phase {
	s := r.script
	switch {
	case s.FailAfterReady > 0 && r.readyRefreshes >= s.FailAfterReady:
		return converge.PhaseFailed
	case s.Stuck || r.refreshes < s.PendingRefreshes || now.Sub(r.created) < s.PendingFor:
		return converge.PhasePending
	case s.Fail:
		return converge.PhaseFailed
	}
	return converge.PhaseReady
}

// EngineFault is what one call suffers; the zero EngineFault is none.
type EngineFault struct {
	// Delay is added to the engine's latency ([WithEngineLatency]) for this call.
	Delay time.Duration
	// Err is returned by the call. Unless Applied, the call changes nothing.
	Err error
	// Applied makes a call with Err change the system anyway, as a create whose reply was lost
	// does.
	Applied bool
}

// EngineFaults decides the fault of each call: op and key name the call (key is empty for
// OpObserve), n counts the earlier calls of the same op on the same key, so a test can fail
// "the first two creates of b" deterministically. It is called with the engine's lock held and
// must not call the engine.
type EngineFaults func(op EngineOp, key string, n int) EngineFault

// EngineOption configures an [Engine]; pass them to [NewEngine].
type EngineOption func(*engineOptions)

type engineOptions struct {
	latency time.Duration
	faults  EngineFaults
	scripts func(key string, n int) PhaseScript
}

// WithEngineLatency makes every call take d (plus its fault's Delay).
func WithEngineLatency(d time.Duration) EngineOption {
	return func(o *engineOptions) { o.latency = d }
}

// WithEngineFaults injects f's faults. Without it, no call fails.
func WithEngineFaults(f EngineFaults) EngineOption {
	return func(o *engineOptions) { o.faults = f }
}

// WithEngineScripts gives the n-th creation (from 0) of key the script fn returns, for keys that
// [Engine.Script] did not script. Without it, created resources are ready at once. fn is
// called with the engine's lock held and must not call the engine.
func WithEngineScripts(fn func(key string, n int) PhaseScript) EngineOption {
	return func(o *engineOptions) { o.scripts = fn }
}
