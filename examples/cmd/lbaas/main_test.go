package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/lbaas"
)

func TestTheDemoConvergesAfterEveryStep(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		f := defaultFaults
		f.Seed = seed
		require.NoError(t, demo(t.Context(), f), "seed %d", seed)
	}
}

func TestTheDemoCheckRefusesAWrongResult(t *testing.T) {
	api := lbaas.NewServer(lbaas.Faults{}, "")
	hs := httptest.NewServer(api)
	t.Cleanup(hs.Close)
	c, err := lbaas.NewClient(hs.URL, "", backoff.Policy{Initial: time.Millisecond}, time.Second)
	require.NoError(t, err)
	lb, err := api.Put(lbaas.Resource{Kind: lbaas.KindLoadBalancer, Name: "lb"})
	require.NoError(t, err)
	svc := lbaas.Service{UID: "u", LoadBalancer: lb, Ports: []lbaas.Port{{Name: "http", External: 80, Internal: 30080}},
		ExternalIPs: []string{"192.0.2.1"}, Nodes: []lbaas.Node{{Name: "n", Address: "10.0.0.1"}}}
	d := &demoRun{api: api, c: c}
	require.NoError(t, d.step(t.Context(), "converge", svc))
	r, err := lbaas.NewReconciler(c, svc)
	require.NoError(t, err)

	stray, err := api.Put(lbaas.Resource{Kind: lbaas.KindBackend, Name: "stray", LoadBalancer: lb, Mode: "tcp"}, svc.Tag())
	require.NoError(t, err)
	assert.ErrorContains(t, d.check(t.Context(), r, svc), "resources by kind", "a second backend is more than the service asks for")
	require.NoError(t, c.Destroy(t.Context(), lbaas.KindBackend, stray))

	_, err = api.Put(lbaas.Resource{Kind: lbaas.KindBackend, Name: "http", LoadBalancer: lb, Mode: "tcp"})
	require.NoError(t, err)
	assert.ErrorContains(t, d.check(t.Context(), r, svc), "is not tagged", "an untagged backend is one a lost create left")
}
