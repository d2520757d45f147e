package reconcile

// The rules of Run, in one place (see also Run's doc comment):
//
//   - N workers (WithParallelism) each loop: wait for the rate limiter (WithRateLimit), take a
//     key from the Source, call the Sync (under WithSyncTimeout), turn its error into an
//     Outcome by OutcomeOf (the one place where outcome precedence is written), report it to the
//     hooks and then to the Source's Done.
//   - Every key taken is reported to Done exactly once, also while Run stops.
//   - Run returns when ctx ends (nil), when the Source says ErrShutdown (nil), or when the
//     Source's Get fails otherwise (that error). Either way it first cancels the context of the
//     syncs in flight and waits for them and their Done. It does not shut the Source down.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// ErrSyncTimeout is the cause of a sync's context when [WithSyncTimeout] expires.
var ErrSyncTimeout = errors.New("reconcile: sync timed out")

// Run is the control loop: it runs workers that take keys from src and call sync for each,
// reporting every outcome back to src (see [OutcomeOf] for how sync's error is read, and
// [RunOption] for the options). At most one sync runs per key at a time, as long as src hands a
// key to one worker at a time, as [Queue] does.
//
// Run blocks until ctx ends or src's Get returns [ErrShutdown], and returns nil then; if Get
// returns any other error, Run stops and returns it. Before returning it cancels the context of
// the syncs in flight and waits for each to return and be reported, so no goroutine of Run
// outlives it. Run does not shut src down. It returns an error at once for a nil src or sync,
// or options whose key type is not K.
func Run[K comparable](ctx context.Context, src Source[K], sync Sync[K], opts ...RunOption) error {
	r, err := newRunner(src, sync, opts)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for range r.cfg.parallelism {
		g.Go(func() error { return r.work(ctx) })
	}
	if r.list != nil {
		g.Go(func() error { r.resyncLoop(ctx); return nil })
	}
	return g.Wait()
}

// runner is the state of one Run, shared by its goroutines; it is not changed after newRunner.
type runner[K comparable] struct {
	src      Source[K]
	sync     Sync[K]
	cfg      runConfig
	hooks    RunHooks[K]
	list     func(context.Context) ([]K, error)
	resyncer SourceResyncer[K]
}

func newRunner[K comparable](src Source[K], sync Sync[K], opts []RunOption) (*runner[K], error) {
	if src == nil || sync == nil {
		return nil, errors.New("reconcile: Run needs a source and a sync")
	}
	r := &runner[K]{src: src, sync: sync}
	for _, opt := range opts {
		opt(&r.cfg)
	}
	r.cfg.parallelism = max(r.cfg.parallelism, 1)
	if r.cfg.hooks != nil {
		h, ok := r.cfg.hooks.(RunHooks[K])
		if !ok {
			return nil, fmt.Errorf("reconcile: WithRunHooks got %T, Run needs RunHooks[%T]", r.cfg.hooks, *new(K))
		}
		r.hooks = h
	}
	if r.cfg.resyncEvery > 0 {
		if err := r.setResync(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// work is one worker's loop; it returns nil when ctx ends or the source shuts down.
func (r *runner[K]) work(ctx context.Context) error {
	doneCtx := context.WithoutCancel(ctx) // Done must be reported also while Run stops
	for {
		if l := r.cfg.limiter; l != nil {
			if err := l.Wait(ctx); err != nil {
				<-ctx.Done() // only a context that ends makes Wait fail
				return nil
			}
		}
		key, err := r.src.Get(ctx)
		switch {
		case ctx.Err() != nil && err != nil, errors.Is(err, ErrShutdown):
			return nil
		case err != nil:
			return fmt.Errorf("reconcile: get: %w", err)
		}
		r.process(ctx, doneCtx, key)
	}
}

// process syncs one key and reports its outcome.
func (r *runner[K]) process(ctx, doneCtx context.Context, key K) {
	if r.hooks.SyncStart != nil {
		r.hooks.SyncStart(key)
	}
	start := time.Now()
	o := OutcomeOf(r.syncOne(ctx, key))
	if r.hooks.SyncEnd != nil {
		r.hooks.SyncEnd(key, time.Since(start), o)
	}
	if o.Kind == OutcomeDropped && r.hooks.Dropped != nil {
		r.hooks.Dropped(key, o.Err)
	}
	if err := r.src.Done(doneCtx, key, o); err != nil && r.hooks.ReportFailed != nil {
		r.hooks.ReportFailed(key, err)
	}
}

func (r *runner[K]) syncOne(ctx context.Context, key K) error {
	if r.cfg.syncTimeout <= 0 {
		return r.sync.Sync(ctx, key)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.cfg.syncTimeout, ErrSyncTimeout)
	defer cancel()
	return r.sync.Sync(ctx, key)
}
