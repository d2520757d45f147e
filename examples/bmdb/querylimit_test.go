package bmdb_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestTheQueryLimitBoundsTheRateOfClaimsNotTheRateOfWork(t *testing.T) {
	db := open(t, d0(t))
	ctx := context.Background()
	n := 240
	require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, machines(n)...))
	limit := rate.NewLimiter(20, 1) // 20 claims a second
	var claims, done atomic.Int64
	all := make(chan struct{})
	src := session(t, db, time.Minute).Source(bmdb.Provision, bmdb.SourceBatch(24), bmdb.SourcePoll(time.Millisecond),
		bmdb.SourceQueryLimit(limit), bmdb.SourceOnClaim(func(int, error) { claims.Add(1) }))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		errc <- reconcile.Run(runCtx, src, reconcile.SyncFunc[bmdb.Lease](func(context.Context, bmdb.Lease) error {
			if done.Add(1) == int64(n) {
				close(all)
			}
			return nil
		}), reconcile.WithParallelism(4))
	}()
	select {
	case <-all:
	case <-time.After(time.Minute):
		t.Fatal("the work did not finish")
	}
	elapsed := time.Since(start)
	stop()
	require.NoError(t, <-errc)
	require.NoError(t, src.Release(ctx))
	allowed := 1 + int64(20*elapsed.Seconds()) + 1 // the burst, the rate, and one in flight as it was measured
	t.Logf("%d machines in %v with %d claims (at most %d allowed)", n, elapsed.Round(time.Millisecond), claims.Load(), allowed)
	assert.LessOrEqual(t, claims.Load(), allowed, "no more claims than the limit lets through")
	assert.Greater(t, float64(n)/elapsed.Seconds(), 3*20.0, "items flow at the batch's multiple of the claim rate")
}
