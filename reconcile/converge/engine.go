package converge

import "context"

// Engine carries out what a plan says on the real system (a cloud API, a dataplane). It has
// three methods, not the usual one or two, because creating, destroying and reading a
// resource's phase are the three things the reconciler asks of a system, and they always come
// together; [EngineFuncs] adapts three functions.
//
// The reconciler calls an Engine from several goroutines at once (up to the parallelism, see
// [WithParallelism]), each call for a different resource. An error marked with
// backoff.Permanent stops [Reconciler.Reconcile] at once; any other error is retried as the
// reconciler's rules say.
type Engine[R any] interface {
	// Create creates r and returns the created resource (carrying, say, the identifier the
	// system assigned), which the reconciler then passes to Refresh and Destroy. A create that
	// returns an error is taken as not done; the next pass observes again, so a create that
	// did happen despite the error is not made twice.
	Create(ctx context.Context, r R) (R, error)
	// Destroy destroys r. Destroying a resource that is already gone must return nil.
	Destroy(ctx context.Context, r R) error
	// Refresh reads r's phase now.
	Refresh(ctx context.Context, r R) (Phase, error)
}

// EngineFuncs adapts three functions to [Engine]. A nil function panics when called.
type EngineFuncs[R any] struct {
	CreateFunc  func(ctx context.Context, r R) (R, error)
	DestroyFunc func(ctx context.Context, r R) error
	RefreshFunc func(ctx context.Context, r R) (Phase, error)
}

// Create calls e.CreateFunc.
func (e EngineFuncs[R]) Create(ctx context.Context, r R) (R, error) { return e.CreateFunc(ctx, r) }

// Destroy calls e.DestroyFunc.
func (e EngineFuncs[R]) Destroy(ctx context.Context, r R) error { return e.DestroyFunc(ctx, r) }

// Refresh calls e.RefreshFunc.
func (e EngineFuncs[R]) Refresh(ctx context.Context, r R) (Phase, error) {
	return e.RefreshFunc(ctx, r)
}

var _ Engine[int] = EngineFuncs[int]{}
