package watch

import (
	"context"
	"fmt"
)

// Synced reports whether the named resources (every resource, when no name is given) are
// synced: their state has been delivered in full and a watch is open from there (see
// [Syncer] for when that is). It is client-go's HasSynced: once true, it stays true for the
// resource's life, across relists and Runs. An unknown name is not synced. It does not block.
func (w *Watcher) Synced(names ...string) bool {
	ok, _ := w.syncedNow(names)
	return ok
}

// WaitSynced blocks until the named resources (every resource, when no name is given) are
// synced, as [Watcher.Synced] reports it, and returns nil; it is client-go's
// WaitForCacheSync. It returns early with ctx's cause when ctx ends, with
// [ErrUnknownResource] for a name the Watcher does not have (or no longer has), and with the
// resource's [*GiveUpError] (or panic) when one of them failed before it synced. It does not
// run anything: [Watcher.Run] must be running for the resources to sync.
func (w *Watcher) WaitSynced(ctx context.Context, names ...string) error {
	for {
		w.mu.Lock()
		changed := w.changed
		w.mu.Unlock()
		if ok, err := w.syncedNow(names); ok || err != nil {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// syncedNow reports whether every named resource is synced, or the error that ends a wait.
func (w *Watcher) syncedNow(names []string) (bool, error) {
	w.mu.Lock()
	var res []*resource
	if len(names) == 0 {
		for _, r := range w.res {
			res = append(res, r)
		}
	}
	for _, name := range names {
		r, ok := w.res[name]
		if !ok {
			w.mu.Unlock()
			return false, fmt.Errorf("WaitSynced %q: %w", name, ErrUnknownResource)
		}
		res = append(res, r)
	}
	w.mu.Unlock()
	all := true
	for _, r := range res {
		ok, err := r.syncState()
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all, nil
}

// notify wakes every WaitSynced: a resource synced, failed, or was removed.
func (w *Watcher) notify() {
	w.mu.Lock()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}
