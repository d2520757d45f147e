package reconcile_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

// Run syncs every key of a queue through one sync function. Here the queue is drained, so Run
// returns once what was queued has been synced; a controller would instead run until its
// context ends, with events and a resync adding keys.
func ExampleRun() {
	q, err := reconcile.NewQueue[string]()
	if err != nil {
		panic(err)
	}
	for _, k := range []string{"web", "db", "web", "cache"} {
		q.Add(k)
	}
	q.Drain()

	sync := func(_ context.Context, key string) error {
		fmt.Println("sync", key)
		if key == "cache" {
			return backoff.Permanent(errors.New("unknown kind"))
		}
		return nil
	}
	err = reconcile.Run(context.Background(), q, reconcile.SyncFunc[string](sync),
		reconcile.WithHooks(reconcile.Hooks{
			OnDropped: func(key any, err error) { fmt.Printf("dropped %v: %v\n", key, err) },
		}))
	fmt.Println("Run returned", err)
	// Output:
	// sync web
	// sync db
	// sync cache
	// dropped cache: unknown kind
	// Run returned <nil>
}
