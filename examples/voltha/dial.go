package voltha

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/steadfast-go/steadfast/connctx"
)

// DialRouter returns a dial function for the router at addr (host:port): a new channel with
// plaintext credentials and idleness turned off (an idle channel would end the session),
// asked to connect and returned once READY, within timeout, or closed. Reconnecting is left to
// connctx.Supervise. opts are added to the channel's options: give keepalive parameters the
// router's enforcement policy accepts, to detect a router that froze without closing.
func DialRouter(addr string, timeout time.Duration, opts ...grpc.DialOption) connctx.DialFunc[*grpc.ClientConn] {
	return func(ctx context.Context) (*grpc.ClientConn, error) {
		base := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithIdleTimeout(0)}
		cc, err := grpc.NewClient("passthrough:///"+addr, append(base, opts...)...)
		if err != nil {
			return nil, err
		}
		cc.Connect()
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := connctx.WaitReady(ctx, cc, connectivity.Ready); err != nil {
			_ = cc.Close()
			return nil, err
		}
		return cc, nil
	}
}
