package stepbench

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
)

// The benchmark's system: every engine call (observe, create, destroy, refresh) takes
// callLatency, and a created resource is pending for readyAfter.
const (
	callLatency = 20 * time.Millisecond
	readyAfter  = 100 * time.Millisecond
	levels      = 4
)

// node is one resource: at a level, with its parent one level up.
type node struct {
	Name   string
	Level  int
	Parent string
}

func key(n node) string { return n.Name }

// tree returns n resources in levels levels of n/levels each; resource i of a level has
// resource i of the level above as its parent.
func tree(n int) []node {
	width := n / levels
	nodes := make([]node, 0, n)
	for l := range levels {
		for i := range width {
			nd := node{Name: fmt.Sprintf("l%d-%04d", l, i), Level: l}
			if l > 0 {
				nd.Parent = fmt.Sprintf("l%d-%04d", l-1, i)
			}
			nodes = append(nodes, nd)
		}
	}
	return nodes
}

// steps returns one step per level: create the missing resources whose parent exists.
func steps(desired []node) []converge.Step[node] {
	out := make([]converge.Step[node], levels)
	for l := range levels {
		out[l] = converge.StepFunc[node](func(_ context.Context, observed []converge.Observed[node]) (converge.Changes[node], error) {
			exists := make(map[string]bool, len(observed))
			for _, o := range observed {
				exists[o.Resource.Name] = true
			}
			var c converge.Changes[node]
			for _, d := range desired {
				if d.Level == l && !exists[d.Name] && (d.Parent == "" || exists[d.Parent]) {
					c.Create = append(c.Create, d)
				}
			}
			return c, nil
		})
	}
	return out
}

// newSystem returns an empty fake system with the benchmark's latency and readiness.
func newSystem() *convergetest.Engine[node] {
	return convergetest.NewEngine(key, convergetest.WithEngineLatency(callLatency),
		convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
			return convergetest.PhaseScript{PendingFor: readyAfter}
		}))
}

// criticalPath is the least time the API's limit allows an algorithm that goes level by
// level: per level, the creates in waves of apiLimit (ceil(n/apiLimit) calls' latency one after
// the other) and the time until the last of them is ready; plus one observe per level and a
// last one that sees nothing to do. For 1,000 resources in 4 levels: 4 x (16 x 20 + 100) ms +
// 5 x 20 ms = 1.78 s.
func criticalPath(n int) time.Duration {
	width := n / levels
	waves := (width + apiLimit - 1) / apiLimit
	return time.Duration(levels)*(time.Duration(waves)*callLatency+readyAfter) + (levels+1)*callLatency
}
