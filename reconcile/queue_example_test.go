package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

// A key is queued at most once, and a key added while a worker has it is queued again when
// the worker is done with it.
func ExampleQueue() {
	ctx := context.Background()
	q, err := reconcile.NewQueue[string]()
	if err != nil {
		panic(err)
	}
	q.Add("a")
	q.Add("b")
	q.Add("a") // already queued: nothing happens
	fmt.Println("queued:", q.Len())

	key, _ := q.Get(ctx)
	fmt.Println("took", key)
	q.Add("a") // a worker has it: queued again on Done
	fmt.Println("queued:", q.Len())
	q.Done(ctx, key, reconcile.OutcomeOf(nil))
	fmt.Println("queued:", q.Len())
	// Output:
	// queued: 2
	// took a
	// queued: 1
	// queued: 2
}

// OutcomeOf is the one rule that turns a sync's error into what happens to the key.
func ExampleOutcomeOf() {
	errBoom := errors.New("boom")
	for _, err := range []error{
		nil,
		errBoom,
		backoff.RetryAfter(30*time.Second, errBoom),
		backoff.Permanent(errBoom),
		backoff.Permanent(backoff.RetryAfter(30*time.Second, errBoom)),
	} {
		o := reconcile.OutcomeOf(err)
		fmt.Printf("%v -> %v %v\n", err, o.Kind, o.After)
	}
	// Output:
	// <nil> -> done 0s
	// boom -> retry 0s
	// boom (retry after 30s) -> retry-after 30s
	// boom -> dropped 0s
	// boom (retry after 30s) -> dropped 0s
}
