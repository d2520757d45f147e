package bmdb

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/reconcile"
)

// The stages of a machine in the demo's loops.
const (
	StageNew         = "new"
	StageProvisioned = "provisioned"
	StageReady       = "ready"
	StageBroken      = "broken"
)

// The demo's processes, like the origin's shepherds: provision new machines, initialize
// (install the agent on) provisioned ones, recover broken ones.
var (
	Provision  = Process{Name: "provision", From: StageNew, To: StageProvisioned}
	Initialize = Process{Name: "initialize", From: StageProvisioned, To: StageReady, DropTo: StageBroken}
	Recover    = Process{Name: "recover", From: StageBroken, To: StageProvisioned}
)

// Loop is one control loop: a process, the sync that does its work for one machine, and the
// options of its source.
type Loop struct {
	Process Process
	Sync    reconcile.Sync[Lease]
	Options []SourceOption
}

// Loops returns the demo's three control loops over c: each sync is one request to c, with
// the lease's idempotency key.
func Loops(c Cloud, opts ...SourceOption) []Loop {
	op := func(name string) reconcile.Sync[Lease] {
		return reconcile.SyncFunc[Lease](func(ctx context.Context, l Lease) error {
			return c.Call(ctx, Request{Op: name, Machine: l.Machine, Key: l.Key})
		})
	}
	return []Loop{
		{Process: Provision, Sync: op(OpProvision), Options: opts},
		{Process: Initialize, Sync: op(OpInstall), Options: opts},
		{Process: Recover, Sync: op(OpRepair), Options: opts},
	}
}

// RunLoops runs every loop with [reconcile.Run] in session s, each with opts (parallelism, a
// rate limiter shared by all, hooks), until ctx ends or a loop fails; then it releases the
// leases the loops claimed and did not start. It blocks until every loop returned, and
// returns the first error other than ctx's end. Run it inside [Session.Run].
func RunLoops(ctx context.Context, s *Session, loops []Loop, opts ...reconcile.RunOption) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range loops {
		g.Go(func() error {
			src := s.Source(l.Process, l.Options...)
			err := reconcile.Run(gctx, src, l.Sync, opts...)
			if rerr := src.Release(context.WithoutCancel(gctx)); rerr != nil && err == nil {
				err = rerr
			}
			if err != nil {
				return fmt.Errorf("loop %s: %w", l.Process.Name, err)
			}
			return nil
		})
	}
	err := g.Wait()
	if ctx.Err() != nil && errors.Is(err, context.Cause(ctx)) {
		return nil
	}
	return err
}
