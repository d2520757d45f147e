// Package grpcconntest is the test kit of package grpcconn, shared by its tests and
// bench/connctxbench: [StartServer] serves the standard gRPC health service on loopback, and
// [StartProxy] forwards TCP to a server until [Proxy.Freeze], after which it holds every
// connection open and forwards nothing (a peer that stopped answering without closing).
// Both take a testing.TB, stop what they started when the test ends, and fail the test
// themselves when they cannot listen, so the kit imports no assertion library.
package grpcconntest
