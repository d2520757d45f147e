package connctx_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

func ExampleLeader() {
	lock := conntest.NewLock() // a PostgreSQL row or a Kubernetes Lease in a real program
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	session := func(ctx context.Context, lease connctx.Lease, g *errgroup.Group) error {
		fmt.Printf("term %d: leading as %s with token %d\n", lease.Term, lease.Identity, lease.Token)
		if lease.Term == 1 {
			lock.Take("replica-b", time.Minute) // another replica takes over
		}
		<-ctx.Done() // every call the session makes uses ctx, and so carries the lease's deadline
		fmt.Println("stopped:", context.Cause(ctx))
		if lost := (*connctx.LeaseLostError)(nil); errors.As(context.Cause(ctx), &lost) {
			cancel() // enough for the example
		}
		return nil
	}
	l, err := connctx.NewLeader(lock, session, connctx.WithIdentity("replica-a"),
		connctx.WithLeaseDuration(time.Second), connctx.WithRenewDeadline(600*time.Millisecond),
		connctx.WithRenewInterval(20*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Run:", l.Run(ctx))
	fmt.Println("holder:", lock.Holder().Identity)
	// Output:
	// term 1: leading as replica-a with token 1
	// stopped: connctx: lease lost: held by "replica-b" with token 2
	// Run: <nil>
	// holder: replica-b
}
