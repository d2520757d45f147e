package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/lbaas"
)

// TestMain fails the tests if any goroutine outlives them (the demo's server included). With
// childEnv set, the test binary is a replica that the -replicas tests started.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(replicaMain(os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}

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
	r, err := lbaas.New(c, svc)
	require.NoError(t, err)

	stray, err := api.Put(lbaas.Resource{Kind: lbaas.KindBackend, Name: "stray", LoadBalancer: lb, Mode: "tcp"}, svc.Tag())
	require.NoError(t, err)
	assert.ErrorContains(t, d.check(t.Context(), r, svc), "resources by kind", "a second backend is more than the service asks for")
	require.NoError(t, c.Destroy(t.Context(), lbaas.KindBackend, stray))

	_, err = api.Put(lbaas.Resource{Kind: lbaas.KindBackend, Name: "http", LoadBalancer: lb, Mode: "tcp"})
	require.NoError(t, err)
	assert.ErrorContains(t, d.check(t.Context(), r, svc), "is not tagged", "an untagged backend is one a lost create left")
}

// TestRunningOnceWithURLPlansConvergesAndDeletes runs the -url mode against the embedded
// Engine as it would against a real one: token from $ANEXIA_TOKEN, the service from a file.
func TestRunningOnceWithURLPlansConvergesAndDeletes(t *testing.T) {
	api := lbaas.NewServer(lbaas.Faults{}, "tok")
	hs := httptest.NewServer(api)
	t.Cleanup(hs.Close)
	lb, err := api.Put(lbaas.Resource{Kind: lbaas.KindLoadBalancer, Name: "lb"})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "svc.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"uid":"u1","load_balancer":"`+lb+`","name_suffix":"web.default.c1",
		"ports":[{"name":"http","external":80,"internal":30080}],"external_ips":["192.0.2.1"],
		"nodes":[{"name":"n1","address":"10.0.0.1"}]}`), 0o600))

	t.Setenv("ANEXIA_TOKEN", "")
	assert.ErrorContains(t, once(t.Context(), hs.URL, file, false, false), "ANEXIA_TOKEN")
	t.Setenv("ANEXIA_TOKEN", "tok")
	require.NoError(t, once(t.Context(), hs.URL, file, true, false))
	assert.Zero(t, api.MutatingCalls(), "-dry-run changes nothing")
	require.NoError(t, once(t.Context(), hs.URL, file, false, false))
	assert.Len(t, api.Resources(), 5, "the load balancer, a backend, a frontend, a bind, a server")
	require.NoError(t, once(t.Context(), hs.URL, file, false, true))
	assert.Len(t, api.Resources(), 1, "-delete leaves the load balancer only")
}
