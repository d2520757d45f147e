package convergetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/steadfast-go/steadfast/reconcile/converge/convergetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is a resource the system gives an identifier: a root, or a child naming its root's ID.
type node struct {
	Name   string
	ID     string // chosen by the system on create
	Parent string // the parent's ID; "" for a root
}

func nodeName(n node) string { return n.Name }

// assignID is what the fake system chooses on create: an ID from the name and the creation.
func assignID(n node, i int) node {
	n.ID = fmt.Sprintf("%s-%d", n.Name, i+1)
	return n
}

func TestAssignedIDsAreWhatCreateReturnsObserveListsAndCallsAddress(t *testing.T) {
	e := convergetest.NewEngine(nodeName)
	e.Assign(assignID)
	asked := node{Name: "p"}
	got, err := e.Create(t.Context(), asked)
	require.NoError(t, err)
	assert.Equal(t, node{Name: "p", ID: "p-1"}, got, "Create returns what the system chose")
	assert.Equal(t, []converge.Observed[node]{{Resource: got, Phase: converge.PhaseReady}}, e.Existing())

	_, err = e.Refresh(t.Context(), asked)
	assert.ErrorIs(t, err, convergetest.ErrResourceNotFound, "a resource without its ID is not found")
	require.NoError(t, e.Destroy(t.Context(), asked), "a destroy of an unknown ID is a destroy of what is gone")
	assert.Equal(t, []string{"p"}, e.Keys(), "and destroys nothing")

	p, err := e.Refresh(t.Context(), got)
	require.NoError(t, err)
	assert.Equal(t, converge.PhaseReady, p)
	require.NoError(t, e.Destroy(t.Context(), got))
	assert.Empty(t, e.Keys())

	again, err := e.Create(t.Context(), asked)
	require.NoError(t, err)
	assert.Equal(t, "p-2", again.ID, "the second creation of the key gets n = 1")

	e.Assign(func(n node, _ int) node { n.Name += "!"; return n })
	require.NoError(t, e.Destroy(t.Context(), again))
	assert.PanicsWithValue(t, "convergetest: the function given to Assign changed the key of p", func() {
		_, _ = e.Create(t.Context(), asked)
	})
}

// familySteps want a root "p" and a child "c" under it, or, if !want, nothing.
func familySteps(want *bool) []converge.Step[node] {
	level := func(root bool) converge.Step[node] {
		return converge.StepFunc[node](func(_ context.Context, observed []converge.Observed[node]) (converge.Changes[node], error) {
			var c converge.Changes[node]
			var parent *node
			mine := false
			for _, o := range observed {
				if o.Resource.Name == "p" {
					parent = &o.Resource
				}
				if (o.Resource.Parent == "") == root {
					mine = true
					if !*want {
						c.Destroy = append(c.Destroy, o.Resource)
					}
				}
			}
			switch {
			case !*want || mine:
			case root:
				c.Create = []node{{Name: "p"}}
			case parent != nil:
				c.Create = []node{{Name: "c", Parent: parent.ID}} // a child names its parent's ID
			}
			return c, nil
		})
	}
	return []converge.Step[node]{level(true), level(false)}
}

// errHasChildren is the system's 409 to deleting a parent that still has children.
var errHasChildren = errors.New("409 conflict: the resource has children")

// parentWithChildren refuses the destroy of a resource some existing resource names as parent.
func parentWithChildren(c convergetest.FaultCall[node]) convergetest.EngineFault {
	if c.Op == convergetest.OpDestroy && c.Has(func(o node) bool { return o.Parent == c.Resource.ID }) {
		return convergetest.EngineFault{Err: errHasChildren}
	}
	return convergetest.EngineFault{}
}

func TestAParentWithChildrenCannotBeDeletedUntilTheyAreGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Latency, so that the parent's and the child's destroys start together.
		e := convergetest.NewEngine(nodeName, convergetest.WithEngineLatency(time.Millisecond),
			convergetest.WithEngineScripts(func(string, int) convergetest.PhaseScript {
				return convergetest.PhaseScript{PendingRefreshes: 1} // so the wait after a create refreshes it
			}))
		e.Assign(assignID)
		e.InjectFaults(parentWithChildren)
		want := true
		r := converge.New(e, e, nodeName, familySteps(&want),
			converge.WithRetryPolicy(backoff.Policy{Initial: time.Second, Jitter: backoff.NoJitter}),
			converge.WithReadyPolicy(backoff.Policy{Initial: time.Second, Jitter: backoff.NoJitter}))

		require.NoError(t, r.Reconcile(t.Context()))
		assert.Equal(t, []converge.Observed[node]{
			{Resource: node{Name: "c", ID: "c-1", Parent: "p-1"}, Phase: converge.PhaseReady},
			{Resource: node{Name: "p", ID: "p-1"}, Phase: converge.PhaseReady},
		}, e.Existing(), "the child names the ID the system gave its parent")
		for _, call := range e.Calls() {
			assert.NoError(t, call.Err, "%s %s: the reconciler refreshes what Create returned", call.Op, call.Key)
		}

		want = false
		before := len(e.Calls())
		require.NoError(t, r.Reconcile(t.Context()))
		assert.Empty(t, e.Keys())
		var destroys []string
		for _, call := range e.Calls()[before:] {
			if call.Op == convergetest.OpDestroy {
				destroys = append(destroys, fmt.Sprintf("%s: %v", call.Key, call.Err))
			}
		}
		require.Len(t, destroys, 3)
		assert.ElementsMatch(t, []string{"c: <nil>", "p: " + errHasChildren.Error()}, destroys[:2],
			"in one round: the parent is refused while its child exists")
		assert.Equal(t, "p: <nil>", destroys[2], "and destroyed in the next round")
	})
}
