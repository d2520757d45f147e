package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

var (
	replicasN     = flag.Int("replicas", 0, "run this many replicas (child processes) against the embedded Engine and one lease, kill the leader and show the takeover")
	replicasPG    = flag.String("pg", "", "with -replicas: the lease is a row in this PostgreSQL database (a DSN); empty: a Kubernetes Lease on a loopback API server")
	replicasLease = flag.Duration("lease-duration", 2*time.Second, "with -replicas: the lease duration (renew deadline 3/4 of it, renewals every 1/8)")
)

// replicasDemo starts n replicas, lets the leader work, kills it (SIGKILL), and shows who
// took over, how long it took, and the Engine's record of who made each mutating call.
func replicasDemo(ctx context.Context, n int, dsn string, d time.Duration) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, err := startCluster(ctx, exe, n, dsn, d)
	if err != nil {
		cancel()
		return err
	}
	defer c.stop()
	defer cancel() // before stop: the drift ends first
	store := "a Kubernetes Lease on a loopback API server"
	if dsn != "" {
		store = "a PostgreSQL row"
	}
	fmt.Printf("%d replicas (child processes), one lease: %s, duration %v, renew deadline %v, renewals every %v\n",
		n, store, d, d*3/4, d/8)
	c.drift(ctx, 100*time.Millisecond)
	first, next, err := c.waitLeader(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Printf("%s leads with fencing token %d\n", first.id, first.token)
	if _, err := c.waitCalls(ctx, first.token, 10); err != nil {
		return err
	}
	killed := time.Now()
	if err := c.signal(first.id, syscall.SIGKILL); err != nil {
		return err
	}
	fmt.Printf("SIGKILL %s (it does not release the lease)\n", first.id)
	second, _, err := c.waitLeader(ctx, next, first.id)
	if err != nil {
		return err
	}
	call, err := c.waitCalls(ctx, second.token, 10)
	if err != nil {
		return err
	}
	fmt.Printf("%s took over with token %d %v after the kill (lease duration %v); its first mutating call %v after\n",
		second.id, second.token, second.at.Sub(killed).Round(time.Millisecond), d, call.At.Sub(killed).Round(time.Millisecond))
	cancel()
	c.stop()
	terms, refused, err := checkRecord(c.api.Mutations())
	if err != nil {
		return fmt.Errorf("the Engine's record interleaves: %w", err)
	}
	fmt.Printf("the Engine's record, term by term (replica/token x mutating calls): %s; refused for a stale token: %d; no interleaving\n",
		strings.Join(terms, ", "), refused)
	return nil
}
