package reconcile

// The rules of Run, in one place (see also Run's doc comment):
//
//   - N workers (WithParallelism) each loop: wait for the rate limiter (WithRateLimit), take a
//     key from the Source, call the Sync (under WithSyncTimeout), turn its error into an
//     Outcome by OutcomeOf (the one place where outcome precedence is written), report it to the
//     hooks and then to the Source's Done.
//   - Every key taken is reported to Done exactly once, also while Run stops, and also when
//     its sync panics (from a defer: the panic then goes on and ends the program).
//   - Run returns when ctx ends (nil), when the Source shuts down (nil), or when the Source's
//     Get fails otherwise (that error). Everything that takes work runs under one context,
//     take, which ends at the first of these; the syncs run under ctx, which a shutdown leaves
//     alone. Run waits for every sync and its Done. It does not shut the Source down.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/backoff"
)

// ErrSyncTimeout is the cause of a sync's context when [WithSyncTimeout] expires.
var ErrSyncTimeout = errors.New("reconcile: sync timed out")

// ErrSyncPanicked is the error of the [OutcomeRetry] that [Run] reports to the source's Done
// for a sync that panicked (or ended its goroutine) instead of returning.
var ErrSyncPanicked = errors.New("reconcile: sync panicked")

// Run is the control loop: it runs workers that take keys from src and call sync for each,
// reporting every outcome back to src (see [OutcomeOf] for how sync's error is read, and
// [RunOption] for the options). At most one sync runs per key at a time, as long as src hands a
// key to one worker at a time, as [Queue] does.
//
// Run blocks until ctx ends or the source shuts down, and returns nil then; if Get returns an
// error other than [ErrShutdown], Run stops and returns it. The source has shut down once any
// Get returns ErrShutdown, or once the channel of a [ShutDownNotifier] source (as [Queue] and
// reconciletest's Source are) is closed: from then on Run takes no more keys, and ends at once
// every wait that is not a sync (a worker's wait for a token of [WithRateLimit], a Get, the
// next resync of [WithResync]). When ctx ends or Get fails, Run cancels the context of the
// syncs in flight; when the source shuts down, it lets them finish. Either way it waits for
// each to return and be reported, so no goroutine of Run outlives it. Run does not shut src
// down. It returns an error at once for a nil src or sync, or options whose key type is not K.
//
// Run recovers no panic: a panic in sync, a hook, a resync list or src crashes the program,
// as a panic on any goroutine does. A sync that panics is first reported to src's Done, as an
// [OutcomeRetry] matching [ErrSyncPanicked], so that a source that keeps state elsewhere (a
// lease in a database) records the failure and releases the key before the program ends.
func Run[K comparable](ctx context.Context, src Source[K], sync Sync[K], opts ...RunOption) error {
	r, err := newRunner(src, sync, opts)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	// take is the context of what takes work (token waits, Get, resyncs): it ends with ctx,
	// and also when the source shuts down, while the syncs in flight go on under ctx.
	take, shut := context.WithCancel(ctx)
	defer shut()
	if n, ok := src.(ShutDownNotifier); ok {
		g.Go(func() error { r.notified(take, shut, n.ShutDownNotify()); return nil })
	}
	for range r.cfg.parallelism {
		g.Go(func() error { return r.work(ctx, take, shut) })
	}
	if r.list != nil {
		g.Go(func() error { r.resyncLoop(take); return nil })
	}
	return g.Wait()
}

// notified ends take when the source says it shut down. take always ends before Run returns
// (every worker returns only once take has ended, or ends it), so this goroutine does too.
func (r *runner[K]) notified(take context.Context, shut context.CancelFunc, down <-chan struct{}) {
	select {
	case <-down:
		shut()
	case <-take.Done():
	}
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
	if l := r.cfg.limiter; l != nil && l.Burst() < 1 && l.Limit() != rate.Inf {
		// Such a limiter never hands out a token: every worker would wait forever.
		return nil, fmt.Errorf("reconcile: WithRateLimit: a limiter of burst %d never allows a key", l.Burst())
	}
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

// work is one worker's loop; it returns nil when take ends (ctx ended or the source shut down).
func (r *runner[K]) work(ctx, take context.Context, shut context.CancelFunc) error {
	doneCtx := context.WithoutCancel(ctx) // Done must be reported also while Run stops
	for r.token(take) {
		key, err := r.src.Get(take)
		switch {
		case errors.Is(err, ErrShutdown):
			shut() // nothing more to take: the other workers stop waiting for tokens and keys
			return nil
		case err != nil && take.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("reconcile: get: %w", err)
		}
		r.process(ctx, doneCtx, key)
	}
	return nil
}

// token waits for a token of the rate limit, if there is one, and reports whether it got one
// before take ended. It reserves the token and sleeps until it is due rather than calling the
// limiter's Wait, which gives up at once on a token due after ctx's deadline: the worker then
// waits for take to end like any other wait, and notices a shutdown. A token not used is given
// back.
func (r *runner[K]) token(take context.Context) bool {
	l := r.cfg.limiter
	if l == nil || take.Err() != nil {
		return take.Err() == nil
	}
	res := l.Reserve()
	if !res.OK() { // never the case for the limiters newRunner accepts; wait like one that is slow
		<-take.Done()
		return false
	}
	if backoff.Sleep(take, res.Delay()) {
		return true
	}
	res.Cancel()
	return false
}

// process syncs one key and reports its outcome. The report to Done is deferred, so that a
// sync that panics (or ends its goroutine with runtime.Goexit) still releases the key.
func (r *runner[K]) process(ctx, doneCtx context.Context, key K) {
	o := Outcome{Kind: OutcomeRetry, Err: ErrSyncPanicked} // unless the sync returns
	defer func() {
		if err := r.src.Done(doneCtx, key, o); err != nil && r.hooks.ReportFailed != nil {
			r.hooks.ReportFailed(key, err)
		}
	}()
	if r.hooks.SyncStart != nil {
		r.hooks.SyncStart(key)
	}
	start := time.Now()
	o = OutcomeOf(r.syncOne(ctx, key))
	if r.hooks.SyncEnd != nil {
		r.hooks.SyncEnd(key, time.Since(start), o)
	}
	if o.Kind == OutcomeDropped && r.hooks.Dropped != nil {
		r.hooks.Dropped(key, o.Err)
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
