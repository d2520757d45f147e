package voltha

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrRouterUnreachable is matched by [Daemon.Healthy]'s error when the router has been
// unreachable for longer than its budget ([WithRouterBudget]).
var ErrRouterUnreachable = errors.New("voltha: router unreachable")

// health tells whether the daemon is alive, as a liveness probe wants it: what gave up, and
// for how long the router has been unreachable. It is safe for concurrent use.
type health struct {
	mu        sync.Mutex
	now       func() time.Time
	budget    time.Duration
	watchErr  error
	routerErr error
	up        bool
	downSince time.Time // when the router was last lost, or Run started
}

func newHealth(now func() time.Time, budget time.Duration) *health {
	return &health{now: now, budget: budget, downSince: now()}
}

func (h *health) begin() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchErr, h.routerErr, h.up, h.downSince = nil, nil, false, h.now()
}

func (h *health) connected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.up = true
}

func (h *health) lost() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.up, h.downSince = false, h.now()
}

func (h *health) watcherGaveUp(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchErr = err
}

func (h *health) routerGaveUp(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.routerErr = err
}

// check returns nil when healthy, else why not.
func (h *health) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.watchErr != nil:
		return h.watchErr
	case h.routerErr != nil:
		return fmt.Errorf("voltha: router supervisor gave up: %w", h.routerErr)
	case !h.up && h.now().Sub(h.downSince) > h.budget:
		return fmt.Errorf("%w for %v (budget %v)", ErrRouterUnreachable, h.now().Sub(h.downSince).Round(time.Millisecond), h.budget)
	}
	return nil
}
