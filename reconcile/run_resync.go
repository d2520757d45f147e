package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// SourceResyncer is a [Source] that takes keys back at resync priority, which [WithResync]
// needs. [Queue] is one: see [Queue.Resync].
type SourceResyncer[K comparable] interface {
	Resync(key K) error
}

// resyncJitter spreads each wait between resyncs by ±10%.
const resyncJitter = 0.1

func (r *runner[K]) setResync() error {
	list, ok := r.cfg.resyncList.(func(context.Context) ([]K, error))
	if !ok || list == nil {
		return fmt.Errorf("reconcile: WithResync got %T, Run needs a list func of %T", r.cfg.resyncList, *new(K))
	}
	rs, ok := r.src.(SourceResyncer[K])
	if !ok {
		return fmt.Errorf("reconcile: WithResync needs a source with Resync(%T) error; %T has none", *new(K), r.src)
	}
	r.list, r.resyncer = list, rs
	return nil
}

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
		if errors.Is(r.resyncOnce(take), ErrShutdown) {
			return
		}
		t.Reset(jittered(r.cfg.resyncEvery))
	}
}

// resyncOnce lists every key and passes it to the source. It returns ErrShutdown if the source
// is shut down, and otherwise the first error of list or Resync, after passing every key it
// can (a full queue refuses new keys but takes back those it holds).
func (r *runner[K]) resyncOnce(ctx context.Context) error {
	keys, err := r.list(ctx)
	n := 0
	for _, k := range keys {
		switch rerr := r.resyncer.Resync(k); {
		case errors.Is(rerr, ErrShutdown):
			return rerr
		case rerr != nil:
			err = cmp.Or(err, rerr) // the first error; the other keys still go in
		default:
			n++
		}
	}
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("reconcile: resync: %w", err)
	}
	if r.hooks.Resynced != nil && ctx.Err() == nil {
		r.hooks.Resynced(n, err)
	}
	return err
}

func jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 + resyncJitter*(2*rand.Float64()-1)))
}
