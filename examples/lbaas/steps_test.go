package lbaas

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

func TestDiffPlansABindWhoseFrontendWasReplacedBothWays(t *testing.T) {
	old := Resource{Kind: KindBind, Identifier: "b-1", Name: "v4-http.svc", Frontend: "fe-old", Address: "192.0.2.10", Port: 80,
		State: StateDeployed}
	keep := Resource{Kind: KindBind, Identifier: "b-2", Name: "v6-http.svc", Frontend: "fe-new", Address: "2001:db8::10", Port: 80,
		State: StateDeployed}
	repl := Resource{Kind: KindBind, Name: "v4-http.svc", Frontend: "fe-new", Address: "192.0.2.10", Port: 80}
	c := diff([]Resource{old, keep}, []Resource{repl, keep.Spec()})
	assert.Equal(t, []Resource{repl}, c.Create)
	assert.Equal(t, []Resource{old}, c.Destroy)
	require.Equal(t, key(old), key(repl), "one key: the step reconciler takes it as a replacement")
}

func TestPlanOfABindWhoseFrontendWasReplacedDestroysItFirst(t *testing.T) {
	svc := Service{UID: "svc-1", LoadBalancer: "lb-1", NameSuffix: "web",
		Ports:       []Port{{Name: "http", External: 80, Internal: 30080}},
		ExternalIPs: []string{"192.0.2.10"}, Nodes: []Node{{Name: "n1", Address: "10.0.0.1"}}}
	fe := Resource{Kind: KindFrontend, Identifier: "fe-new", Name: svc.name("http"), LoadBalancer: "lb-1",
		DefaultBackend: "be-1", Mode: modeTCP, State: StateDeployed}
	old := Resource{Kind: KindBind, Identifier: "b-1", Name: svc.name("v4", "http"), Frontend: "fe-old",
		Address: "192.0.2.10", Port: 80, State: StateDeployed}
	observed := converge.ObserverFunc[Resource](func(context.Context) ([]converge.Observed[Resource], error) {
		return []converge.Observed[Resource]{{Resource: fe, Phase: converge.PhaseReady}, {Resource: old, Phase: converge.PhaseReady}}, nil
	})
	binds := svc.step("binds", KindBind, svc.binds)
	r := converge.New[Resource](observed, converge.EngineFuncs[Resource]{}, key, []converge.Step[Resource]{binds})
	p, err := r.Plan(t.Context())
	require.NoError(t, err, "a bind replaced under its key is no duplicate")
	assert.Equal(t, "binds: create bind/v4.http.web@192.0.2.10; destroy bind/v4.http.web@192.0.2.10", p.String())
	assert.Equal(t, "fe-new", p.Create()[0].Frontend)
	assert.Equal(t, "fe-old", p.Destroy()[0].Frontend)
}
