package backoffbench

import (
	"context"
	"errors"
	"testing"
	"time"

	cbackoff "github.com/cenkalti/backoff/v4"
	retry "github.com/sethvargo/go-retry"

	"github.com/steadfast-go/steadfast/backoff"
)

// attempts is how many times the operation of BenchmarkRetry is called per retry loop: it
// fails attempts-1 times, then succeeds.
const attempts = 10

// tick is the delay between attempts on every side: the shortest each library accepts
// (steadfast's zero means its default and go-retry's NewConstant refuses zero), so that the
// loop's own work and its wait mechanism are measured, not a sleep.
const tick = time.Nanosecond

var errTransient = errors.New("transient")

// flaky returns an operation that fails until its n-th call of each loop and counts the calls
// in *calls, and a reset to start the next loop. wrap turns the failure into what the library
// needs to retry it (go-retry retries only errors marked retryable).
func flaky(n int, wrap func(error) error) (op func() error, reset func()) {
	calls := 0
	return func() error {
			if calls++; calls < n {
				return wrap(errTransient)
			}
			return nil
		}, func() {
			if calls != n {
				panic("backoffbench: the loop did not make every attempt")
			}
			calls = 0
		}
}

func same(err error) error { return err }

// BenchmarkRetry measures the overhead of a retry loop per call of it: one op is one loop of
// 10 attempts of an operation that fails 9 times and then succeeds, with a constant 1 ns delay
// and no jitter on every side, so that each makes the same attempts and waits alike.
// steadfast's backoff.Retry (its default deadline kept) against cenkalti/backoff's Retry with
// a ConstantBackOff under the context, and sethvargo/go-retry's Do with NewConstant.
// ns/attempt is ns/op over the 10 attempts.
func BenchmarkRetry(b *testing.B) {
	ctx := context.Background()
	b.Run("steadfast", func(b *testing.B) {
		p := backoff.Policy{Initial: tick, Multiplier: 1, Jitter: backoff.NoJitter}
		op, reset := flaky(attempts, same)
		retryLoop(b, attempts, reset, func() error {
			return backoff.Retry(ctx, p, func(context.Context) error { return op() })
		})
	})
	b.Run("cenkalti", func(b *testing.B) {
		op, reset := flaky(attempts, same)
		retryLoop(b, attempts, reset, func() error {
			return cbackoff.Retry(op, cbackoff.WithContext(&cbackoff.ConstantBackOff{Interval: tick}, ctx))
		})
	})
	b.Run("go-retry", func(b *testing.B) {
		op, reset := flaky(attempts, retry.RetryableError)
		retryLoop(b, attempts, reset, func() error {
			return retry.Do(ctx, retry.NewConstant(tick), func(context.Context) error { return op() })
		})
	})
}

// BenchmarkRetryFirstTry is BenchmarkRetry with an operation that succeeds at once: the cost
// of wrapping a call in each library's retry loop when nothing fails, no wait involved.
func BenchmarkRetryFirstTry(b *testing.B) {
	ctx := context.Background()
	b.Run("steadfast", func(b *testing.B) {
		p := backoff.Policy{Initial: tick, Multiplier: 1, Jitter: backoff.NoJitter}
		op, reset := flaky(1, same)
		retryLoop(b, 1, reset, func() error {
			return backoff.Retry(ctx, p, func(context.Context) error { return op() })
		})
	})
	b.Run("cenkalti", func(b *testing.B) {
		op, reset := flaky(1, same)
		retryLoop(b, 1, reset, func() error {
			return cbackoff.Retry(op, cbackoff.WithContext(&cbackoff.ConstantBackOff{Interval: tick}, ctx))
		})
	})
	b.Run("go-retry", func(b *testing.B) {
		op, reset := flaky(1, retry.RetryableError)
		retryLoop(b, 1, reset, func() error {
			return retry.Do(ctx, retry.NewConstant(tick), func(context.Context) error { return op() })
		})
	})
}

// retryLoop runs one retry loop of n attempts per op, checking that each succeeded after
// making every attempt.
func retryLoop(b *testing.B, n int, reset func(), loop func() error) {
	b.ReportAllocs()
	for b.Loop() {
		if err := loop(); err != nil {
			b.Fatal(err)
		}
		reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/attempt")
}
