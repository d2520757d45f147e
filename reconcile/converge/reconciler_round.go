package converge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
)

// errEndedFailed is what a created resource that ended in PhaseFailed counts as.
var errEndedFailed = errors.New("ended failed")

// destroy destroys rs in rounds: the failures of a round are retried after a delay as long as
// the round destroyed something.
func (x *reconcileRun[R]) destroy(ctx context.Context, rs []R) error {
	for {
		keys := x.keyList(rs) // the key function runs on the caller's goroutine only
		errs := x.each(ctx, len(rs), func(ctx context.Context, i int) error {
			err := x.r.engine.Destroy(ctx, rs[i])
			x.r.o.destroyed(keys[i], err)
			return err
		})
		x.noteDestroyed(rs, errs)
		if ctx.Err() != nil {
			return x.stopped(ctx)
		}
		left, failed, err := x.sift("destroy", rs, errs)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			x.retry.Reset()
			return nil
		}
		if len(left) == len(rs) {
			return &StuckError{Reason: ErrNoProgress, Resources: x.keys(left), Last: errors.Join(failed...)}
		}
		if err := x.pause(ctx, failed); err != nil {
			return err
		}
		rs = left
	}
}

// create creates rs and waits for what was created. Failures count towards the replace limit,
// which is checked first; a create refused with a RetryAfter hint (throttled: nothing was
// created) does not.
func (x *reconcileRun[R]) create(ctx context.Context, rs []R) error {
	if err := x.checkLimit(rs); err != nil {
		return err
	}
	created, keys := make([]R, len(rs)), x.keyList(rs)
	errs := x.each(ctx, len(rs), func(ctx context.Context, i int) error {
		var err error
		created[i], err = x.r.engine.Create(ctx, rs[i])
		x.r.o.created(keys[i], err)
		return err
	})
	for _, r := range rs {
		x.noteCreated(x.r.key(r))
	}
	if ctx.Err() != nil {
		return x.stopped(ctx)
	}
	left, failed, err := x.sift("create", rs, errs)
	if err != nil {
		return err
	}
	for i, r := range left {
		if _, throttled := backoff.RetryAfterHint(failed[i]); throttled {
			x.last = failed[i]
			continue
		}
		x.fail(x.r.key(r), failed[i])
	}
	var done []R
	for i, err := range errs {
		if err == nil {
			done = append(done, created[i])
		}
	}
	return x.waitCreated(ctx, done, failed)
}

// waitCreated waits for created resources, counts those that ended failed, and pauses if some
// create calls failed (the system may be in trouble) before the next pass, at least as long
// as any of their RetryAfter hints.
func (x *reconcileRun[R]) waitCreated(ctx context.Context, created []R, failed []error) error {
	endedFailed, err := x.wait(ctx, created)
	if err != nil {
		return err
	}
	x.foundFailed(endedFailed)
	if len(failed) == 0 {
		x.retry.Reset()
		return nil
	}
	return x.pause(ctx, failed)
}

// sift returns the resources whose call failed and their errors, named, at the same indexes;
// or, if a call's error was marked permanent, that error to stop with.
func (x *reconcileRun[R]) sift(op string, rs []R, errs []error) (left []R, failed []error, stop error) {
	for i, err := range errs {
		if err == nil {
			continue
		}
		if inner, ok := backoff.IsPermanent(err); ok {
			return nil, nil, fmt.Errorf("converge: %s %s: %w", op, x.r.key(rs[i]), inner)
		}
		left = append(left, rs[i])
		failed = append(failed, fmt.Errorf("%s %s: %w", op, x.r.key(rs[i]), err))
	}
	if len(failed) > 0 {
		x.last = failed[len(failed)-1]
	}
	return left, failed, nil
}

// each calls fn for 0..n-1, at most parallelism at once, and returns the errors by index. A
// call not started before ctx ended is not made; its error is ctx's cause.
func (x *reconcileRun[R]) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(x.r.o.parallelism)
	for i := range n {
		g.Go(func() error { // each goroutine writes its own index only: no lock needed
			if ctx.Err() != nil {
				errs[i] = context.Cause(ctx)
				return nil
			}
			errs[i] = fn(ctx, i)
			return nil
		})
	}
	_ = g.Wait() // the goroutines return nil: errors are in errs
	return errs
}

// pause waits the retry policy's next delay, or a RetryAfter hint in errs if it is longer.
func (x *reconcileRun[R]) pause(ctx context.Context, errs []error) error {
	d, ok := x.retry.Next()
	if !ok {
		return &backoff.ExhaustedError{Reason: x.retry.Reason(), Last: x.last, Attempts: x.passes,
			Elapsed: time.Since(x.start)}
	}
	for _, err := range errs {
		if hint, ok := backoff.RetryAfterHint(err); ok {
			d = max(d, hint)
		}
	}
	if !backoff.Sleep(ctx, d) {
		return x.stopped(ctx)
	}
	return nil
}

// keys returns the keys of rs, sorted.
func (x *reconcileRun[R]) keys(rs []R) []string {
	ks := x.keyList(rs)
	slices.Sort(ks)
	return ks
}

// keyList returns the keys of rs, in rs's order.
func (x *reconcileRun[R]) keyList(rs []R) []string {
	ks := make([]string, len(rs))
	for i, r := range rs {
		ks[i] = x.r.key(r)
	}
	return ks
}
