// Package connctxbench measures how fast connctx notices a lost gRPC connection on loopback:
// the time from the server closing the connection to the context ending (WithConn against a
// hand-rolled GetState poll every 10 ms, the usual alternative), and the time to detect a
// frozen peer through keepalive against its budget, keepalive time + timeout + 1 s.
package connctxbench
