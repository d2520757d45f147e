package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// SourceResyncer is a work source that takes keys back at resync priority, which [WithResync]
// needs. [Queue] is one: see [Queue.Resync].
type SourceResyncer[K comparable] interface {
	Resync(key K) error
}

// resyncJitter spreads each wait between resyncs by ±10%.
const resyncJitter = 0.1

// resyncLoop resyncs now and then about every interval until take ends (Run's context ended,
// or the source shut down) or the source refuses adds. A Resync that returns ErrShutdown ends
// only the resyncs: a drained queue refuses adds while it still hands out what it holds.
func (r *runner[K]) resyncLoop(take context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-take.Done():
			return
		case <-t.C:
		}
		n, err := r.cfg.resync(take)
		if r.cfg.hooks.OnResynced != nil && take.Err() == nil {
			r.cfg.hooks.OnResynced(n, err)
		}
		if errors.Is(err, ErrShutdown) {
			return
		}
		t.Reset(jittered(r.cfg.resyncEvery))
	}
}

// resyncOnce lists every key and passes it to into. It returns how many keys into took, and
// ErrShutdown if into is shut down, or else the first error of list or Resync, after passing
// every key it can (a full queue refuses new keys but takes back those it holds).
func resyncOnce[K comparable](ctx context.Context, into SourceResyncer[K], list func(context.Context) ([]K, error)) (int, error) {
	keys, err := list(ctx)
	n := 0
	for _, k := range keys {
		switch rerr := into.Resync(k); {
		case errors.Is(rerr, ErrShutdown):
			return n, rerr
		case rerr != nil:
			err = cmp.Or(err, rerr) // the first error; the other keys still go in
		default:
			n++
		}
	}
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("reconcile: resync: %w", err)
	}
	return n, err
}

func jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 + resyncJitter*(2*rand.Float64()-1)))
}
