package vpp

import (
	"context"
	"net/netip"
	"slices"
	"sync"
)

// image is what the controller knows one session's dataplane holds: read by a dump, then kept
// up to date by every call that succeeded, so that a sync diffs against it instead of dumping.
// It is stale, and read again by the next sync, when the session starts, after a call failed
// (the dataplane may hold anything), at the start of each drift round (to see changes made
// behind the controller's back), and for good once the session ended.
type image struct {
	// reload is held shared by a sync from its plan to its last call, and exclusively by a
	// dump, so that a dump never replaces the image under a sync that is writing to it.
	reload sync.RWMutex

	mu    sync.Mutex // guards the fields below
	stale bool
	vips  map[VIP]VIPEntry
	clean map[asKey]bool // entries at weight 0 with no flow pinned: flushed, or added at 0
}

type asKey struct {
	vip  VIP
	addr netip.Addr
}

func newImage() *image { return &image{stale: true, clean: map[asKey]bool{}} }

// hold returns once the image is fresh, with the shared reload lock held: the caller must call
// release. A stale image is dumped first; a dump error is returned with no lock held.
func (im *image) hold(ctx context.Context, dump func(context.Context) ([]VIPEntry, error)) (release func(), err error) {
	for {
		im.reload.RLock()
		if !im.isStale() {
			return im.reload.RUnlock, nil
		}
		im.reload.RUnlock()
		if err := im.refresh(ctx, dump); err != nil {
			return nil, err
		}
	}
}

// refresh dumps the dataplane into the image unless another sync just did.
func (im *image) refresh(ctx context.Context, dump func(context.Context) ([]VIPEntry, error)) error {
	im.reload.Lock()
	defer im.reload.Unlock()
	if !im.isStale() {
		return nil
	}
	entries, err := dump(ctx)
	if err != nil {
		return err
	}
	vips := make(map[VIP]VIPEntry, len(entries))
	for _, e := range entries {
		vips[e.VIP] = e
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.vips, im.stale = vips, false
	return nil
}

func (im *image) isStale() bool {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.stale
}

// invalidate makes the next sync dump the dataplane. It does not block for long.
func (im *image) invalidate() {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.stale = true
}

// lookup returns a copy of the image's entry for v (nil if the dataplane has no such VIP) and
// whether the image is fresh; a stale image knows nothing.
func (im *image) lookup(v VIP) (*VIPEntry, bool) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.stale {
		return nil, false
	}
	return im.entryLocked(v), true
}

// entry returns a copy of the image's entry for v, for a sync holding the image (see hold):
// the image it reads is the one the last dump and calls made, even if another sync has
// marked it stale since.
func (im *image) entry(v VIP) *VIPEntry {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.entryLocked(v)
}

func (im *image) entryLocked(v VIP) *VIPEntry {
	e, ok := im.vips[v]
	if !ok {
		return nil
	}
	e.ASs = slices.Clone(e.ASs)
	return &e
}

func (im *image) isClean(v VIP) func(netip.Addr) bool {
	return func(a netip.Addr) bool {
		im.mu.Lock()
		defer im.mu.Unlock()
		return im.clean[asKey{v, a}]
	}
}

// applied records a call that succeeded: the image now holds what the call made, and an entry
// is clean if it was added at 0 or flushed, dirty once it carries traffic or is drained
// without a flush (its flows may still be pinned to it).
func (im *image) applied(op Op) {
	im.mu.Lock()
	defer im.mu.Unlock()
	k := asKey{op.VIP, op.Address}
	switch op.Kind {
	case OpAddVIP:
		im.vips[op.VIP] = VIPEntry{VIP: op.VIP, Params: op.Params}
		return
	case OpDelVIP:
		delete(im.vips, op.VIP)
		return
	}
	e := im.vips[op.VIP]
	i := slices.IndexFunc(e.ASs, func(as AS) bool { return as.Address == op.Address })
	switch {
	case op.Kind == OpDelAS && i >= 0:
		e.ASs = slices.Delete(e.ASs, i, i+1)
	case op.Kind == OpAddAS:
		e.ASs = append(e.ASs, AS{Address: op.Address, Weight: op.Weight})
	case op.Kind == OpSetWeight && i >= 0:
		e.ASs[i].Weight = op.Weight
	}
	im.vips[op.VIP] = e
	im.clean[k] = op.Kind != OpDelAS && op.Weight == 0 && (op.Kind == OpAddAS || op.Flush)
	if !im.clean[k] {
		delete(im.clean, k)
	}
}
