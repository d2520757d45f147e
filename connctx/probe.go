package connctx

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Probe checks that a connection with no state API is alive: a ping, a no-op request (VPP's
// control_ping, a health check). Probe returns nil when the peer answered. It must return soon
// after ctx ends: WithProbe's per-probe timeout works through ctx.
type Probe interface {
	Probe(ctx context.Context) error
}

// ProbeFunc adapts a function to a [Probe].
type ProbeFunc func(ctx context.Context) error

var _ Probe = ProbeFunc(nil)

// Probe calls f(ctx).
func (f ProbeFunc) Probe(ctx context.Context) error { return f(ctx) }

// Defaults for [WithProbe]: a peer that stops answering is declared lost after about
// Threshold × (Interval + Timeout), 9 s by default, while a single slow or lost answer is
// forgiven.
const (
	DefaultProbeInterval  = 2 * time.Second
	DefaultProbeTimeout   = time.Second
	DefaultProbeThreshold = 3
)

// ErrProbeTimeout is the cause of a probe's context when its timeout ([WithProbeTimeout]) expires;
// a probe that returns ctx's error then fails with an error that matches it.
var ErrProbeTimeout = errors.New("connctx: probe timed out")

// ProbeOption configures [WithProbe].
type ProbeOption func(*probeOptions)

type probeOptions struct {
	interval, timeout time.Duration
	threshold         int
}

// WithProbeInterval sets the wait between the end of one probe and the start of the next
// (default [DefaultProbeInterval]). The first probe runs one interval after WithProbe.
// It must be positive.
func WithProbeInterval(d time.Duration) ProbeOption {
	return func(o *probeOptions) { o.interval = d }
}

// WithProbeTimeout bounds each probe (default [DefaultProbeTimeout]); a probe that runs out of
// time has failed. It must be positive.
func WithProbeTimeout(d time.Duration) ProbeOption {
	return func(o *probeOptions) { o.timeout = d }
}

// WithProbeThreshold sets how many consecutive failed probes mean the connection is lost
// (default [DefaultProbeThreshold]); a probe that succeeds resets the count. It must be at
// least 1.
func WithProbeThreshold(n int) ProbeOption {
	return func(o *probeOptions) { o.threshold = n }
}

func newProbeOptions(opts []ProbeOption) (probeOptions, error) {
	o := probeOptions{interval: DefaultProbeInterval, timeout: DefaultProbeTimeout, threshold: DefaultProbeThreshold}
	for _, opt := range opts {
		if opt != nil { // a nil option is absent
			opt(&o)
		}
	}
	switch {
	case o.interval <= 0:
		return o, invalid("probe interval %v is not positive", o.interval)
	case o.timeout <= 0:
		return o, invalid("probe timeout %v is not positive", o.timeout)
	case o.threshold < 1:
		return o, invalid("probe threshold %d is below 1", o.threshold)
	}
	return o, nil
}

// WithProbe returns a copy of parent that ends when probe fails [WithProbeThreshold] times in a
// row, with a cause ([context.Cause]) that is a [*LostError] matching [ErrConnLost] and
// wrapping the last probe's error (so errors.Is and errors.As see it too).
//
// A nil probe (a typed nil too), a nil parent or an option out of range is an error matching
// [ErrInvalid]: WithProbe then returns it with a context that has already ended with it as its
// cause and a cancel that does nothing, and starts nothing. It never panics. A nil option is
// ignored.
//
// WithProbe starts one goroutine that probes every interval and ends when the context ends,
// whichever side ends it (lost, parent or cancel); a probe in flight sees its context end.
// The returned cancel ends the context with cause [context.Canceled] and returns after that
// goroutine has ended; calling it again does nothing.
//
// A probe that panics (or calls runtime.Goexit) on that goroutine does not crash the program
// from there: the context ends, with a cause that names the panic, and the returned cancel
// raises it again, with the same value, the first time it is called (Supervise calls it while
// it tears the session down, so the panic reaches Supervise's caller).
func WithProbe(parent context.Context, probe Probe, opts ...ProbeOption) (context.Context, context.CancelFunc, error) {
	ctx, cancel, err := newCancelCause(parent)
	o, oerr := newProbeOptions(opts)
	switch {
	case err != nil:
	case oerr != nil:
		err = oerr
	case isNil(probe):
		err = invalid("nil probe")
	}
	if err != nil {
		cancel(err)
		return ctx, func() {}, err
	}
	// As in WithConn, cancel waits for the goroutine so that nothing of ours outlives it.
	return ctx, watch(cancel, "probe", func() { cancel(probeLoop(ctx, probe, o)) }), nil
}

// probeLoop probes until threshold consecutive failures, returning the loss, or until ctx
// ends, returning nil (cancelling with nil then leaves the existing cause in place).
func probeLoop(ctx context.Context, probe Probe, o probeOptions) error {
	t := time.NewTimer(o.interval)
	defer t.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		err := probeOnce(ctx, probe, o.timeout)
		if ctx.Err() != nil {
			return nil
		}
		failures = countFailure(failures, err)
		if failures >= o.threshold {
			return &LostError{Failures: failures, Err: err}
		}
		t.Reset(o.interval)
	}
}

// countFailure is the pure step of the loop: the consecutive failure count after one probe.
func countFailure(failures int, err error) int {
	if err == nil {
		return 0
	}
	return failures + 1
}

// probeOnce runs one probe under its timeout. A probe that ignored its context but overran
// is a failure too.
func probeOnce(ctx context.Context, probe Probe, timeout time.Duration) error {
	pctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrProbeTimeout)
	defer cancel()
	err := probe.Probe(pctx)
	switch {
	case pctx.Err() == nil || errors.Is(err, ErrProbeTimeout):
		return err
	case err == nil:
		return context.Cause(pctx)
	default:
		return fmt.Errorf("%w: %w", context.Cause(pctx), err)
	}
}
