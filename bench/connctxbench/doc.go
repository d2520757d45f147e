// Package connctxbench measures how fast connctx notices a lost gRPC connection on loopback:
// the time from the server closing the connection to the context ending, WithConn against the
// origin's loop (voltha arouterd's connectionActiveContext: WaitForStateChange until
// TRANSIENT_FAILURE or SHUTDOWN, waited for at most 2 s per iteration, with the iterations that
// did not end counted) and against a hand-rolled GetState poll every 10 ms; and the time to
// detect a frozen peer through keepalive against its budget, keepalive time + timeout + 1 s.
package connctxbench
