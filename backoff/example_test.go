package backoff_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/steadfast-go/steadfast/backoff"
)

// The delays a policy grows through, without jitter: doubling from Initial, held at Max.
func ExamplePolicy_Delay() {
	p := backoff.Policy{Initial: 100 * time.Millisecond, Max: time.Second}
	for n := 1; n <= 6; n++ {
		fmt.Println(n, p.Delay(n))
	}
	// Output:
	// 1 100ms
	// 2 200ms
	// 3 400ms
	// 4 800ms
	// 5 1s
	// 6 1s
}

// The zero Policy is a policy: the documented defaults, chosen for external APIs.
func ExamplePolicy_WithDefaults() {
	fmt.Printf("%+v\n", backoff.Policy{}.WithDefaults())
	// Output:
	// {Initial:500ms Multiplier:2 Max:30s Jitter:0.5 MaxElapsed:5m0s MaxAttempts:0}
}

// Validate explains what is wrong instead of panicking later.
func ExamplePolicy_Validate() {
	fmt.Println(backoff.Policy{Multiplier: 0.5}.Validate())
	fmt.Println(backoff.Policy{Jitter: 2}.Validate())
	// Output:
	// backoff: invalid policy: Multiplier 0.5 is below 1 (delays would shrink)
	// backoff: invalid policy: Jitter 2 is outside [0, 1] (use NoJitter to turn it off)
}

// A Schedule is the state of one loop: call Next after each failure, Reset after a success.
func ExampleSchedule() {
	s, err := backoff.NewSchedule(backoff.Policy{Initial: time.Second, Jitter: backoff.NoJitter, MaxAttempts: 4})
	if err != nil {
		panic(err)
	}
	for {
		d, ok := s.Next()
		if !ok {
			fmt.Println("stop:", s.Reason())
			break
		}
		fmt.Println("wait", d)
	}
	// Output:
	// wait 1s
	// wait 2s
	// wait 4s
	// stop: backoff: attempts exhausted
}

// Retry stops at once on a Permanent error and returns the error inside it.
func ExampleRetry_permanent() {
	calls := 0
	err := backoff.Retry(context.Background(), backoff.Policy{}, func(context.Context) error {
		calls++
		return backoff.Permanent(errors.New("403 forbidden"))
	})
	fmt.Println(calls, err)
	// Output:
	// 1 403 forbidden
}

// When Retry gives up, the error says why and keeps the operation's last error.
func ExampleRetry_exhausted() {
	errBusy := errors.New("503 busy")
	p := backoff.Policy{Initial: time.Millisecond, MaxAttempts: 3}
	err := backoff.Retry(context.Background(), p, func(context.Context) error { return errBusy })

	var ex *backoff.ExhaustedError
	if errors.As(err, &ex) {
		fmt.Println("attempts:", ex.Attempts, "reason:", ex.Reason, "last:", ex.Last)
	}
	fmt.Println(errors.Is(err, backoff.ErrExhausted), errors.Is(err, errBusy))
	// Output:
	// attempts: 3 reason: backoff: attempts exhausted last: 503 busy
	// true true
}

// A value-returning operation, with each retry reported to a hook.
func ExampleRetryValue() {
	calls := 0
	p := backoff.Policy{Initial: time.Millisecond, Jitter: backoff.NoJitter, MaxElapsed: backoff.Forever}
	id, err := backoff.RetryValue(context.Background(), p, func(context.Context) (string, error) {
		calls++
		if calls < 3 {
			return "", errors.New("connection reset")
		}
		return "lb-42", nil
	}, backoff.WithHooks(backoff.Hooks{OnRetry: func(r backoff.Retrying) {
		fmt.Printf("attempt %d failed (%v), next in %v\n", r.Attempt, r.Err, r.Delay)
	}}),
	)
	fmt.Println(id, err)
	// Output:
	// attempt 1 failed (connection reset), next in 1ms
	// attempt 2 failed (connection reset), next in 2ms
	// lb-42 <nil>
}

// client-go's retry.DefaultRetry as a Policy.
func ExampleFromWait() {
	p := backoff.FromWait(wait.Backoff{Steps: 5, Duration: 10 * time.Millisecond, Factor: 1.0, Jitter: 0.1})
	fmt.Printf("%+v\n", p)
	// Output:
	// {Initial:10.5ms Multiplier:1 Max:forever Jitter:0.047619047619047616 MaxElapsed:forever MaxAttempts:5}
}

// An HTTP client turns a 429's or 503's Retry-After into a hint for Retry.
func ExampleParseRetryAfter() {
	now := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	for _, v := range []string{"120", "Sun, 01 Mar 2026 12:00:30 GMT", "Sun, 01 Mar 2026 11:00:00 GMT", "soon"} {
		d, ok := backoff.ParseRetryAfter(v, now)
		fmt.Printf("%q: %v %v\n", v, d, ok)
	}
	d, _ := backoff.ParseRetryAfter("30", now)
	fmt.Println(backoff.RetryAfter(d, errors.New("429 too many requests")))
	// Output:
	// "120": 2m0s true
	// "Sun, 01 Mar 2026 12:00:30 GMT": 30s true
	// "Sun, 01 Mar 2026 11:00:00 GMT": 0s true
	// "soon": 0s false
	// 429 too many requests (retry after 30s)
}
