// Package grpcconn shows connctx carrying a real gRPC connection on loopback: a context that
// ends when the server is killed, a supervisor that reconnects when it comes back and runs the
// session again from scratch, and a frozen peer detected through keepalive. It is VOLTHA's
// arouterd pattern (a session tied to the connection to the affinity router) in miniature.
//
// The tests and bench/connctxbench share its harness (harness.go): [StartServer], [DialReady],
// and [Proxy], a TCP proxy that can freeze. The dial function to copy is [DialReady]:
//
//	cc, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()),
//		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second,
//			Timeout: time.Second, PermitWithoutStream: true}))
//	cc.Connect() // a new channel stays IDLE until asked
//	err = connctx.WaitReady(ctx, cc, connectivity.Ready) // under a timeout; Close cc on error
//
// and the server must accept those pings: grpc.KeepaliveEnforcementPolicy(
// keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}); by
// default it allows one ping every 5 minutes and closes the connection of a client that
// pings more often.
package grpcconn
