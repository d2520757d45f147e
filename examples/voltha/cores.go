package voltha

import "context"

// Cores asks a core which devices it holds. Devices must return soon after ctx ends; the
// daemon bounds each call with its query timeout. It is called from one goroutine at a time.
// [CoreAPI] asks real cores.
type Cores interface {
	Devices(ctx context.Context, core Pod) ([]string, error)
}

// CoresFunc adapts a function to [Cores].
type CoresFunc func(ctx context.Context, core Pod) ([]string, error)

var _ Cores = CoresFunc(nil)

// Devices calls f.
func (f CoresFunc) Devices(ctx context.Context, core Pod) ([]string, error) { return f(ctx, core) }

// Reconciler hands a core devices to take up. When the [Cores] given to [New] is also a
// Reconciler, the daemon hands a read-write core that restarted (came back at a new address)
// the devices its backend has that it did not answer with, once, as the origin did with
// ReconcileDevices. Reconcile must return soon after ctx ends; the daemon bounds each call
// with its query timeout. It is called from one goroutine at a time.
type Reconciler interface {
	Reconcile(ctx context.Context, core Pod, devices []string) error
}

// ReconcilerFunc adapts a function to [Reconciler].
type ReconcilerFunc func(ctx context.Context, core Pod, devices []string) error

var _ Reconciler = ReconcilerFunc(nil)

// Reconcile calls f.
func (f ReconcilerFunc) Reconcile(ctx context.Context, core Pod, devices []string) error {
	return f(ctx, core, devices)
}
