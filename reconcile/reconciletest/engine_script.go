package reconciletest

import (
	"time"

	"github.com/steadfast-go/steadfast/reconcile"
)

// Script is the life of one created resource. The zero Script is ready at once.
type Script struct {
	// PendingRefreshes is how many refreshes report pending before the resource settles.
	PendingRefreshes int
	// PendingFor is how long after its creation the resource is pending before it settles.
	// With PendingRefreshes, both must pass.
	PendingFor time.Duration
	// Fail makes the resource settle in PhaseFailed instead of PhaseReady.
	Fail bool
	// Stuck keeps the resource pending forever.
	Stuck bool
}

func (r *resource[R]) phase(now time.Time) reconcile.Phase {
	s := r.script
	switch {
	case s.Stuck || r.refreshes < s.PendingRefreshes || now.Sub(r.created) < s.PendingFor:
		return reconcile.PhasePending
	case s.Fail:
		return reconcile.PhaseFailed
	}
	return reconcile.PhaseReady
}

// Fault is what one call suffers; the zero Fault is none.
type Fault struct {
	// Delay is added to the engine's latency ([WithLatency]) for this call.
	Delay time.Duration
	// Err is returned by the call. Unless Applied, the call changes nothing.
	Err error
	// Applied makes a call with Err change the system anyway, as a create whose reply was lost
	// does.
	Applied bool
}

// Faults decides the fault of each call: op and key name the call (key is empty for
// OpObserve), n counts the earlier calls of the same op on the same key, so a test can fail
// "the first two creates of b" deterministically. It is called with the engine's lock held and
// must not call the engine.
type Faults func(op Op, key string, n int) Fault

// EngineOption configures an [Engine]; pass them to [NewEngine].
type EngineOption func(*engineOptions)

type engineOptions struct {
	latency time.Duration
	faults  Faults
	scripts func(key string, n int) Script
}

// WithLatency makes every call take d (plus its fault's Delay).
func WithLatency(d time.Duration) EngineOption {
	return func(o *engineOptions) { o.latency = d }
}

// WithFaults injects f's faults. Without it, no call fails.
func WithFaults(f Faults) EngineOption {
	return func(o *engineOptions) { o.faults = f }
}

// WithScripts gives the n-th creation (from 0) of key the script fn returns, for keys that
// [Engine.Script] did not script. Without it, created resources are ready at once. fn is
// called with the engine's lock held and must not call the engine.
func WithScripts(fn func(key string, n int) Script) EngineOption {
	return func(o *engineOptions) { o.scripts = fn }
}
