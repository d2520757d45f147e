package connctx_test

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

func ExampleWithConn() {
	conn := conntest.NewConn(conntest.Ready) // a *grpc.ClientConn with connectivity.Ready works alike
	ctx, cancel := connctx.WithConn(context.Background(), conn, conntest.Ready)
	defer cancel()

	conn.Set(conntest.TransientFailure)
	<-ctx.Done()
	fmt.Println(context.Cause(ctx))
	fmt.Println(errors.Is(context.Cause(ctx), connctx.ErrConnLost))
	// Output:
	// connctx: connection lost: TRANSIENT_FAILURE, not READY
	// true
}

func ExampleWithProbe() {
	ping := connctx.ProbeFunc(func(ctx context.Context) error {
		return errors.New("no answer to control_ping")
	})
	ctx, cancel, err := connctx.WithProbe(context.Background(), ping,
		connctx.WithProbeInterval(time.Millisecond), connctx.WithProbeThreshold(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cancel()

	<-ctx.Done()
	fmt.Println(context.Cause(ctx))
	// Output:
	// connctx: connection lost: 2 probes failed in a row, last: no answer to control_ping
}

func ExampleSupervise() {
	dialer := conntest.NewDialer(1, nil) // the first dial fails
	session := func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
		if dialer.Dials() == 3 {
			return backoff.Permanent(errors.New("enough"))
		}
		g.Go(func() error { // a worker that lives as long as the connection
			<-ctx.Done()
			return nil
		})
		conn.Set(conntest.Connecting) // the peer goes away
		<-ctx.Done()
		return nil
	}
	err := connctx.Supervise(context.Background(), dialer.Dial,
		connctx.StateLifetime[*conntest.Conn](conntest.Ready), session,
		connctx.WithDialPolicy(backoff.Policy{Initial: time.Millisecond}),
		connctx.WithRestartPolicy(backoff.Policy{Initial: time.Millisecond}),
		connctx.WithHooks(connctx.Hooks{
			OnDialError: func(r backoff.Retrying) { fmt.Println("dial:", r.Err) },
			OnConnected: func(c connctx.Connected) { fmt.Println("session", c.Session) },
			OnLost:      func(l connctx.Lost) { fmt.Println("lost:", l.Cause) },
		}),
	)
	fmt.Println("Supervise:", err)
	fmt.Println("dials:", dialer.Dials(), "closes:", dialer.Closes())
	// Output:
	// dial: conntest: dial failed
	// session 1
	// lost: connctx: connection lost: CONNECTING, not READY
	// session 2
	// lost: enough
	// Supervise: enough
	// dials: 3 closes: 2
}
