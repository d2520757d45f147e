package converge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// wait waits for rs to leave PhasePending, following the ready policy, and returns those that
// ended failed. A refresh that fails counts as still pending.
func (x *reconcileRun[R]) wait(ctx context.Context, rs []R) (failed []R, err error) {
	s, err := backoff.NewSchedule(x.r.o.ready) // validated by newRun
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var errs []error
	for attempt := 1; len(rs) > 0; attempt++ {
		d, ok := s.Next()
		if !ok {
			last := &backoff.ExhaustedError{Reason: s.Reason(), Last: errors.Join(errs...),
				Attempts: attempt - 1, Elapsed: time.Since(start)}
			return nil, &StuckError{Reason: ErrNotReady, Resources: x.keys(rs), Last: last}
		}
		x.r.o.waited(WaitInfo{Attempt: attempt, Pending: len(rs), Delay: d})
		if !backoff.Sleep(ctx, d) {
			return nil, x.stopped(ctx)
		}
		var ended []R
		if rs, ended, errs, err = x.refresh(ctx, rs); err != nil {
			return nil, err
		}
		failed = append(failed, ended...)
	}
	return failed, nil
}

// refresh reads the phase of rs and splits them into those still pending and those failed.
func (x *reconcileRun[R]) refresh(ctx context.Context, rs []R) (pending, failed []R, errs []error, stop error) {
	phases := make([]Phase, len(rs))
	callErrs := x.each(ctx, len(rs), func(ctx context.Context, i int) error {
		var err error
		phases[i], err = x.r.engine.Refresh(ctx, rs[i])
		return err
	})
	if ctx.Err() != nil {
		return nil, nil, nil, x.stopped(ctx)
	}
	for i, err := range callErrs {
		switch {
		case err != nil:
			if inner, ok := backoff.IsPermanent(err); ok {
				return nil, nil, nil, fmt.Errorf("converge: refresh %s: %w", x.r.key(rs[i]), inner)
			}
			err = fmt.Errorf("refresh %s: %w", x.r.key(rs[i]), err)
			errs, x.last = append(errs, err), err
			pending = append(pending, rs[i])
		case phases[i] == PhaseReady:
		case phases[i] == PhaseFailed:
			failed = append(failed, rs[i])
		default:
			pending = append(pending, rs[i])
		}
	}
	return pending, failed, errs, nil
}
