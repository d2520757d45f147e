package voltha

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/steadfast-go/steadfast/connctx"
)

// RouterKeepalive are the keepalive parameters the origin gave its connection to the router:
// a ping after 10 s without activity while a call is open, the connection lost if no answer
// comes within 5 s. [DialRouter] sets them.
var RouterKeepalive = keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 5 * time.Second}

// DialRouter returns a dial function for the router at addr (host:port): a new channel with
// plaintext credentials, [RouterKeepalive] and idleness turned off (an idle channel would end
// the session), asked to connect and returned once READY, within timeout, or closed.
// Reconnecting is left to connctx.Supervise. opts are added after these options, so they can
// replace them.
func DialRouter(addr string, timeout time.Duration, opts ...grpc.DialOption) connctx.DialFunc[*grpc.ClientConn] {
	return func(ctx context.Context) (*grpc.ClientConn, error) {
		base := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithIdleTimeout(0),
			grpc.WithKeepaliveParams(RouterKeepalive)}
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
