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

// FaultCall is the call an [EngineFaults] function decides the fault of, with a look at the
// fake system as the call starts.
type FaultCall[R any] struct {
	// Op and Key name the call; Key is empty for OpObserve.
	Op  EngineOp
	Key string
	// N counts the earlier calls of the same op on the same key, so a test can fail "the
	// first two creates of b" deterministically.
	N int
	// Resource is the resource the call is given: to create, destroy or refresh; the zero R
	// for OpObserve.
	Resource R
	// Existing is what exists as the call starts, as [Engine.Existing] returns it, so that a
	// fault can depend on the system's state ("a parent with children cannot be deleted").
	// It is a copy of the list; the fault must not change the resources a pointer R shares.
	Existing []converge.Observed[R]
}

// Has reports whether a resource that match reports true for exists as the call starts.
func (c FaultCall[R]) Has(match func(R) bool) bool {
	for _, o := range c.Existing {
		if match(o.Resource) {
			return true
		}
	}
	return false
}

// EngineFaults decides the fault of each call. It is called with the engine's lock held and
// must not call the engine; set it with [Engine.InjectFaults].
type EngineFaults[R any] func(c FaultCall[R]) EngineFault

// EngineOption configures an [Engine]; pass them to [NewEngine].
type EngineOption func(*engineOptions)

type engineOptions struct {
	latency time.Duration
	scripts func(key string, n int) PhaseScript
}

// WithEngineLatency makes every call take d (plus its fault's Delay).
func WithEngineLatency(d time.Duration) EngineOption {
	return func(o *engineOptions) { o.latency = d }
}

// WithEngineScripts gives the n-th creation (from 0) of key the script fn returns, for keys that
// [Engine.Script] did not script. Without it, created resources are ready at once. fn is
// called with the engine's lock held and must not call the engine.
func WithEngineScripts(fn func(key string, n int) PhaseScript) EngineOption {
	return func(o *engineOptions) { o.scripts = fn }
}
