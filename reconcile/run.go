package reconcile

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
// down. It returns an error at once for a nil src or sync.
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
	if r.cfg.resync != nil {
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
	src  Source[K]
	sync Sync[K]
	cfg  runConfig
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
	if r.cfg.resyncEvery <= 0 {
		r.cfg.resync = nil
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
		if err := r.src.Done(doneCtx, key, o); err != nil && r.cfg.hooks.OnReportFailed != nil {
			r.cfg.hooks.OnReportFailed(key, err)
		}
	}()
	if r.cfg.hooks.OnSyncStart != nil {
		r.cfg.hooks.OnSyncStart(key)
	}
	start := time.Now()
	o = OutcomeOf(r.syncOne(ctx, key))
	if r.cfg.hooks.OnSyncEnd != nil {
		r.cfg.hooks.OnSyncEnd(key, time.Since(start), o)
	}
	if o.Kind == OutcomeDropped && r.cfg.hooks.OnDropped != nil {
		r.cfg.hooks.OnDropped(key, o.Err)
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
