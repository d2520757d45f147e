// Package grpcconn shows connctx carrying a real gRPC connection on loopback: a context that
// ends when the server is killed, a supervisor that reconnects when it comes back and runs the
// session again from scratch, and a frozen peer detected through keepalive. It is VOLTHA's
// arouterd pattern (a session tied to the connection to the affinity router) in miniature.
//
// The dial function is [Dial] (and [DialReady], the same called at once); voltha's router
// dial is this one with its own keepalive. What it does, to copy:
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
//
// connctx.WaitReady waits through TRANSIENT_FAILURE, since gRPC retries by itself, so a dial to
// a dead server costs the whole ready timeout; [WithFailFast] returns at the first
// TRANSIENT_FAILURE instead, with the TCP dial's error, and leaves the retrying to the
// supervisor's backoff.
//
// The tests and bench/connctxbench share a test kit, package grpcconntest: a health server
// and a TCP proxy that can freeze.
package grpcconn
