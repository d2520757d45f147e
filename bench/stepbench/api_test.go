package stepbench

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// The API's limit, as a real cloud API enforces one per client: apiLimit calls in flight;
// a call beyond that is refused at once with a 429 and a Retry-After of retryAfter (HTTP's
// Retry-After counts whole seconds, so 1 s is the least a server can say).
const (
	apiLimit   = 16
	retryAfter = time.Second
)

// errTooManyRequests is the API's 429.
var errTooManyRequests = errors.New("429 Too Many Requests")

// limitedAPI is the fake system behind a concurrency limit: every call (observe, create,
// destroy, refresh) takes a slot for its whole latency, and a call that finds no slot free is
// refused with errTooManyRequests carrying a backoff.RetryAfter hint, and counted.
type limitedAPI struct {
	eng      *convergetest.Engine[node]
	inflight atomic.Int64
	refused  atomic.Int64
}

var (
	_ converge.Engine[node]   = (*limitedAPI)(nil)
	_ converge.Observer[node] = (*limitedAPI)(nil)
)

func newAPI() *limitedAPI { return &limitedAPI{eng: newSystem()} }

// admit takes a slot, or returns the 429.
func (a *limitedAPI) admit() error {
	if a.inflight.Add(1) > apiLimit {
		a.inflight.Add(-1)
		a.refused.Add(1)
		return backoff.RetryAfter(retryAfter, errTooManyRequests)
	}
	return nil
}

func (a *limitedAPI) release() { a.inflight.Add(-1) }

func (a *limitedAPI) Observe(ctx context.Context) ([]converge.Observed[node], error) {
	if err := a.admit(); err != nil {
		return nil, err
	}
	defer a.release()
	return a.eng.Observe(ctx)
}

func (a *limitedAPI) Create(ctx context.Context, n node) (node, error) {
	if err := a.admit(); err != nil {
		return node{}, err
	}
	defer a.release()
	return a.eng.Create(ctx, n)
}

func (a *limitedAPI) Destroy(ctx context.Context, n node) error {
	if err := a.admit(); err != nil {
		return err
	}
	defer a.release()
	return a.eng.Destroy(ctx, n)
}

func (a *limitedAPI) Refresh(ctx context.Context, n node) (converge.Phase, error) {
	if err := a.admit(); err != nil {
		return converge.PhasePending, err
	}
	defer a.release()
	return a.eng.Refresh(ctx, n)
}
