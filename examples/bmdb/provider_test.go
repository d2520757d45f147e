package bmdb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestTheProviderActsOncePerRequestAndAnswersRepeatsWithTheFirstAnswer(t *testing.T) {
	ctx := context.Background()
	p := &bmdb.Provider{Latency: 10 * time.Millisecond}
	r := bmdb.Request{Op: bmdb.OpProvision, Machine: "m1", Key: 1}
	var wg sync.WaitGroup
	for range 3 { // a worker and the one that took its lease over, at once
		wg.Go(func() { assert.NoError(t, p.Call(ctx, r)) })
	}
	wg.Wait()
	require.NoError(t, p.Call(ctx, r))
	assert.Equal(t, map[string]int{"m1": 1}, p.Effects(bmdb.OpProvision), "one request, one effect")
	assert.Equal(t, 3, p.Replays(), "the repeats were answered from the first answer")

	r.Key = 2
	require.NoError(t, p.Call(ctx, r))
	assert.Equal(t, map[string]int{"m1": 2}, p.Effects(bmdb.OpProvision), "another key is another request")
}

func TestTheProviderActsAgainOnARequestThatFailed(t *testing.T) {
	ctx := context.Background()
	failing := &bmdb.Provider{FailRate: 1}
	r := bmdb.Request{Op: bmdb.OpRepair, Machine: "m1", Key: 1}
	require.ErrorIs(t, failing.Call(ctx, r), bmdb.ErrProviderFailed)
	require.ErrorIs(t, failing.Call(ctx, r), bmdb.ErrProviderFailed, "a failure is not remembered as the answer")
	assert.Empty(t, failing.Effects(bmdb.OpRepair), "a failed request did nothing")
	assert.Zero(t, failing.Replays())
}

func TestTheProviderFindsABrokenMachineOnlyInTheFirstWorkOnIt(t *testing.T) {
	ctx := context.Background()
	p := &bmdb.Provider{BrokenRate: 1}
	first := bmdb.Request{Op: bmdb.OpInstall, Machine: "m1", Key: 1}
	err := p.Call(ctx, first)
	require.ErrorIs(t, err, bmdb.ErrMachineBroken)
	assert.Equal(t, reconcile.OutcomeDropped, reconcile.OutcomeOf(err).Kind, "broken is permanent")
	assert.ErrorIs(t, p.Call(ctx, first), bmdb.ErrMachineBroken, "a repeat gets the same answer")
	assert.NoError(t, p.Call(ctx, bmdb.Request{Op: bmdb.OpInstall, Machine: "m1", Key: 5}), "after a repair, it installs")
	assert.Equal(t, map[string]int{"m1": 2}, p.Effects(bmdb.OpInstall))
}
