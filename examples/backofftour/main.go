// Command backofftour is a short tour of package backoff: it prints the schedule a policy
// produces and runs Retry against an operation with injected faults, so each rule of the package
// can be seen at work. It runs in about a second.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "backofftour:", err)
		os.Exit(1)
	}
}

func run() error {
	fmt.Println("== the default policy (the zero Policy), delays before each retry, jittered:")
	if err := printSchedule(backoff.Policy{}, 8); err != nil {
		return err
	}
	fmt.Println("\n== a deadline of 1s from the first failure: the last delay is clipped to land on it")
	short := backoff.Policy{Initial: 100 * time.Millisecond, Max: time.Second, MaxElapsed: time.Second, Jitter: backoff.NoJitter}
	if err := simulate(short); err != nil {
		return err
	}
	fmt.Println("\n== Retry against an API that fails three times, then answers")
	return retryTour()
}

// printSchedule prints the first n delays of a fresh schedule next to the un-jittered delay.
func printSchedule(p backoff.Policy, n int) error {
	s, err := backoff.NewSchedule(p)
	if err != nil {
		return err
	}
	r := p.WithDefaults()
	fmt.Printf("   initial %v, multiplier %v, cap %v, jitter ±%v, deadline %v\n",
		r.Initial, r.Multiplier, r.Max, r.Jitter, r.MaxElapsed)
	for i := 1; i <= n; i++ {
		d, _ := s.Next()
		fmt.Printf("   retry %d: base %-6v jittered %v\n", i, p.Delay(i), d.Round(time.Millisecond))
	}
	return nil
}

// simulate walks a schedule on a simulated clock, each attempt failing at once, and prints when
// each attempt starts relative to the first failure.
func simulate(p backoff.Policy) error {
	s, err := backoff.NewSchedule(p)
	if err != nil {
		return err
	}
	var elapsed time.Duration
	for {
		d, ok := s.Next()
		if !ok {
			fmt.Printf("   stop after %d failures: %v\n", s.Failures(), s.Reason())
			return nil
		}
		elapsed += d
		fmt.Printf("   wait %-6v -> attempt at %v\n", d.Round(time.Millisecond), elapsed.Round(time.Millisecond))
		time.Sleep(d) // real time: the deadline is counted on the real clock
	}
}

var errUnavailable = errors.New("503 service unavailable")

func retryTour() error {
	calls := 0
	op := func(ctx context.Context) (string, error) {
		calls++
		switch calls {
		case 1, 2:
			return "", errUnavailable
		case 3:
			return "", backoff.RetryAfter(150*time.Millisecond, errors.New("429 too many requests"))
		}
		return "lb-42 ready", nil
	}
	p := backoff.Policy{Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 10 * time.Second}
	v, err := backoff.RetryValue(context.Background(), p, op, backoff.WithHooks(backoff.Hooks{OnRetry: func(r backoff.Retrying) {
		fmt.Printf("   attempt %d failed (%v); retry in %v, %v of budget left\n",
			r.Attempt, r.Err, r.Delay.Round(time.Millisecond), r.Remaining.Round(time.Millisecond))
	}}))
	if err != nil {
		return err
	}
	fmt.Printf("   result after %d calls: %s\n", calls, v)

	fmt.Println("\n== a Permanent error stops at once; running out of attempts gives an ErrExhausted error")
	err = backoff.Retry(context.Background(), p, func(context.Context) error {
		return backoff.Permanent(errors.New("403 forbidden"))
	})
	fmt.Println("   permanent:", err)
	p.MaxAttempts = 3
	err = backoff.Retry(context.Background(), p, func(context.Context) error { return errUnavailable })
	fmt.Println("   exhausted:", err)
	fmt.Println("   errors.Is(err, backoff.ErrExhausted):", errors.Is(err, backoff.ErrExhausted),
		" errors.Is(err, errUnavailable):", errors.Is(err, errUnavailable))
	return nil
}
