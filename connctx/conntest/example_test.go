package conntest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// routerSync is a user's small controller: on every connection to a router it pushes the full
// configuration once, then keeps the session open until the connection is lost.
type routerSync struct {
	pushes  int
	dialler func(context.Context) (*conntest.Conn, error)
}

func (r *routerSync) Run(ctx context.Context) error {
	return connctx.Supervise(ctx, r.dialler, connctx.StateLifetime[*conntest.Conn](conntest.Ready),
		func(ctx context.Context, conn *conntest.Conn, _ *errgroup.Group) error {
			r.pushes++ // a fresh connection starts with an empty router: push everything
			<-ctx.Done()
			return nil
		},
		connctx.WithDialPolicy(backoff.Policy{Initial: time.Millisecond, MaxAttempts: 5}),
		connctx.WithRestartPolicy(backoff.Policy{Initial: time.Millisecond}))
}

// Example tests routerSync's promise, "push again after every reconnect", with a dialer that
// fails twice and connections the test loses on purpose.
func Example() {
	dialer := conntest.NewDialer(2, errors.New("connection refused"))
	r := &routerSync{dialler: dialer.Dial}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()

	waitFor := func(dials int) *conntest.Conn {
		for dialer.Open() == 0 || dialer.Dials() < dials { // a test would use synctest.Wait
			time.Sleep(time.Millisecond)
		}
		return dialer.Last()
	}
	waitFor(3).Set(conntest.TransientFailure) // lose the first connection
	waitFor(4).Set(conntest.Idle)             // and the second
	waitFor(5)
	stop()
	fmt.Println("Run:", <-done)
	fmt.Println("dials:", dialer.Dials(), "closes:", dialer.Closes(), "pushes:", r.pushes)
	fmt.Println("most connections open at once:", dialer.MaxOpen())
	// Output:
	// Run: <nil>
	// dials: 5 closes: 3 pushes: 3
	// most connections open at once: 1
}
