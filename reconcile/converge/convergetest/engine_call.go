package convergetest

import (
	"context"
	"slices"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// EngineOp names an engine call.
type EngineOp string

// The calls an [Engine] records.
const (
	OpObserve EngineOp = "observe"
	OpCreate  EngineOp = "create"
	OpDestroy EngineOp = "destroy"
	OpRefresh EngineOp = "refresh"
)

// EngineCall is one recorded call.
type EngineCall struct {
	Op    EngineOp
	Key   string // the resource's key; empty for OpObserve
	Err   error  // what the call returned
	Start time.Time
	End   time.Time
}

// call runs one engine call on res (the zero R for OpObserve): it draws the call's fault, with
// what exists as the call starts, waits its latency outside the lock (so calls overlap as they
// would against a real system), applies the change unless the fault says the call failed
// before it, and records the call. A ctx that ends during the latency fails the call with
// ctx's cause, and nothing changes.
func call[R, T any](ctx context.Context, e *Engine[R], op EngineOp, key string, res R, apply func() (T, error)) (T, error) {
	start := time.Now()
	e.mu.Lock()
	var f EngineFault
	if e.faults != nil {
		e.sweep()
		f = e.faults(FaultCall[R]{Op: op, Key: key, N: e.perCall[callKey{op, key}], Resource: res,
			Existing: e.existing()})
	}
	e.perCall[callKey{op, key}]++
	e.mu.Unlock()

	var v T
	err := wait(ctx, e.latency+f.Delay)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep()
	if err == nil && (f.Err == nil || f.Applied) {
		v, err = apply()
	}
	if err == nil && f.Err != nil {
		err = f.Err
	}
	e.calls = append(e.calls, EngineCall{Op: op, Key: key, Err: err, Start: start, End: time.Now()})
	return v, err
}

// wait waits for d, or returns ctx's cause when ctx ends first.
func wait(ctx context.Context, d time.Duration) error {
	if !backoff.Sleep(ctx, d) {
		return context.Cause(ctx)
	}
	return nil
}

// Calls returns every call so far, in the order they ended.
func (e *Engine[R]) Calls() []EngineCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

// Count returns how many calls of op were made, failed ones included.
func (e *Engine[R]) Count(op EngineOp) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Mutations returns how many create and destroy calls were made, failed ones included.
func (e *Engine[R]) Mutations() int { return e.Count(OpCreate) + e.Count(OpDestroy) }

// Keys returns the keys of the resources that exist now, sorted.
func (e *Engine[R]) Keys() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep()
	keys := make([]string, 0, len(e.resources))
	for k := range e.resources {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Creations returns how many times key was created successfully (Put not included).
func (e *Engine[R]) Creations(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.creations[key]
}
