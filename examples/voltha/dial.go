package voltha

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/grpcconn"
)

// RouterKeepalive are the keepalive parameters the origin gave its connection to the router:
// a ping after 10 s without activity while a call is open, the connection lost if no answer
// comes within 5 s. [DialRouter] sets them.
var RouterKeepalive = keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 5 * time.Second}

// DialRouter returns a dial function for the router at addr (host:port): grpcconn.Dial with
// [RouterKeepalive] and idleness turned off (an idle channel would end the session): a new
// plaintext channel, asked to connect and returned once READY, within timeout (or
// grpcconn.DefaultReadyTimeout if timeout is not positive), or closed.
// Reconnecting is left to connctx.Supervise. opts are added after these options, so they can
// replace them.
func DialRouter(addr string, timeout time.Duration, opts ...grpc.DialOption) connctx.DialFunc[*grpc.ClientConn] {
	return grpcconn.Dial(addr, grpcconn.WithReadyTimeout(timeout), grpcconn.WithKeepalive(RouterKeepalive),
		grpcconn.WithGRPCOptions(append([]grpc.DialOption{grpc.WithIdleTimeout(0)}, opts...)...))
}
