package connctx_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

var errPing = errors.New("ping: no answer")

// scripted returns a probe that returns results in order, then nil, and the times it was called
// at (since the start).
func scripted(results ...error) (connctx.ProbeFunc, func() []time.Duration) {
	var mu sync.Mutex
	var at []time.Duration
	start := time.Now()
	probe := func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Since(start))
		if len(results) == 0 {
			return nil
		}
		err := results[0]
		results = results[1:]
		return err
	}
	return probe, func() []time.Duration { mu.Lock(); defer mu.Unlock(); return at }
}

func TestWithProbeCountsConsecutiveFailuresOnly(t *testing.T) {
	tests := []struct {
		name      string
		results   []error
		threshold int
		lostAt    time.Duration // zero: never lost within 10 probes
	}{
		{"three failures in a row", []error{errPing, errPing, errPing}, 3, 3 * time.Second},
		{"a success resets the count", []error{errPing, errPing, nil, errPing, errPing, errPing}, 3, 6 * time.Second},
		{"failures with successes between never add up", []error{errPing, nil, errPing, nil, errPing, nil}, 2, 0},
		{"threshold one ends on the first failure", []error{nil, errPing}, 1, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				probe, calls := scripted(tt.results...)
				start := time.Now()
				ctx, cancel, err := connctx.WithProbe(t.Context(), probe,
					connctx.WithProbeInterval(time.Second), connctx.WithProbeThreshold(tt.threshold))
				require.NoError(t, err)
				defer cancel()
				select {
				case <-ctx.Done():
				case <-time.After(10*time.Second + time.Millisecond):
				}
				if tt.lostAt == 0 {
					assert.NoError(t, ctx.Err(), "the context should still be alive")
					assert.Len(t, calls(), 10, "one probe per interval")
					return
				}
				assert.Equal(t, tt.lostAt, time.Since(start), "when the context ended")
				lost := lostState(t, ctx)
				assert.Equal(t, tt.threshold, lost.Failures)
				assert.ErrorIs(t, context.Cause(ctx), errPing, "the cause carries the last probe error")
			})
		})
	}
}

func TestWithProbeATimedOutProbeIsAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		probe := conntest.NewProbe()
		probe.Hang()
		start := time.Now()
		ctx, cancel, err := connctx.WithProbe(t.Context(), probe, connctx.WithProbeInterval(time.Second),
			connctx.WithProbeTimeout(500*time.Millisecond), connctx.WithProbeThreshold(2))
		require.NoError(t, err)
		defer cancel()
		<-ctx.Done()
		assert.Equal(t, 3*time.Second, time.Since(start), "two rounds of interval + timeout")
		assert.ErrorIs(t, context.Cause(ctx), connctx.ErrProbeTimeout)
		assert.Equal(t, 2, probe.Calls())
	})
}

func TestWithProbeAProbeThatIgnoresItsTimeoutFailsToo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := connctx.ProbeFunc(func(context.Context) error {
			time.Sleep(2 * time.Second) // answers, but too late
			return nil
		})
		ctx, cancel, err := connctx.WithProbe(t.Context(), slow, connctx.WithProbeInterval(time.Second),
			connctx.WithProbeTimeout(time.Second), connctx.WithProbeThreshold(1))
		require.NoError(t, err)
		defer cancel()
		<-ctx.Done()
		assert.ErrorIs(t, context.Cause(ctx), connctx.ErrProbeTimeout)
	})
}

func TestWithProbeEndsWithTheParentsCauseWhenTheParentEndsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errStop := errors.New("parent stopped")
		parent, stop := context.WithCancelCause(t.Context())
		probe := conntest.NewProbe()
		probe.Hang()
		ctx, cancel, err := connctx.WithProbe(parent, probe, connctx.WithProbeInterval(time.Second),
			connctx.WithProbeTimeout(time.Minute))
		require.NoError(t, err)
		defer cancel()
		time.Sleep(2 * time.Second) // the first probe is in flight
		require.Equal(t, 1, probe.Calls())
		stop(errStop)
		synctest.Wait()
		assert.ErrorIs(t, context.Cause(ctx), errStop)
		assert.NotErrorIs(t, context.Cause(ctx), connctx.ErrConnLost)
	})
}

func TestWithProbeCancelStopsProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		probe := conntest.NewProbe()
		ctx, cancel, err := connctx.WithProbe(t.Context(), probe, connctx.WithProbeInterval(time.Second))
		require.NoError(t, err)
		time.Sleep(3*time.Second + time.Millisecond)
		cancel()
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
		calls := probe.Calls()
		time.Sleep(time.Minute)
		assert.Equal(t, 3, calls)
		assert.Equal(t, calls, probe.Calls(), "no probe after cancel")
	})
}

func TestWithProbeRejectsBadInputWithAnError(t *testing.T) {
	var typedNil *conntest.Probe
	tests := []struct {
		name   string
		parent context.Context
		probe  connctx.Probe
		opts   []connctx.ProbeOption
	}{
		{"nil probe", t.Context(), nil, nil},
		{"nil probe func", t.Context(), connctx.ProbeFunc(nil), nil},
		{"typed nil probe", t.Context(), typedNil, nil},
		{"nil parent", nil, conntest.NewProbe(), nil},
		{"zero interval", t.Context(), conntest.NewProbe(), []connctx.ProbeOption{connctx.WithProbeInterval(0)}},
		{"negative timeout", t.Context(), conntest.NewProbe(), []connctx.ProbeOption{connctx.WithProbeTimeout(-time.Second)}},
		{"zero threshold", t.Context(), conntest.NewProbe(), []connctx.ProbeOption{connctx.WithProbeThreshold(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ctx context.Context
			var cancel context.CancelFunc
			var err error
			require.NotPanics(t, func() { ctx, cancel, err = connctx.WithProbe(tt.parent, tt.probe, tt.opts...) })
			defer cancel()
			require.ErrorIs(t, err, connctx.ErrInvalid)
			assert.ErrorIs(t, context.Cause(ctx), connctx.ErrInvalid, "the context ended with the error")
		})
	}
}

func TestWithProbeIgnoresANilOption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		probe := conntest.NewProbe()
		ctx, cancel, err := connctx.WithProbe(t.Context(), probe, nil, connctx.WithProbeInterval(time.Second), nil)
		require.NoError(t, err)
		defer cancel()
		time.Sleep(time.Second + time.Millisecond)
		assert.NoError(t, ctx.Err())
		assert.Equal(t, 1, probe.Calls(), "the other options still apply")
	})
}
