package voltha

import "context"

// Cores asks a core which devices it holds. Devices must return soon after ctx ends; the
// daemon bounds each call with its query timeout. It is called from one goroutine at a time.
type Cores interface {
	Devices(ctx context.Context, core Pod) ([]string, error)
}

// CoresFunc adapts a function to [Cores].
type CoresFunc func(ctx context.Context, core Pod) ([]string, error)

var _ Cores = CoresFunc(nil)

// Devices calls f.
func (f CoresFunc) Devices(ctx context.Context, core Pod) ([]string, error) { return f(ctx, core) }
