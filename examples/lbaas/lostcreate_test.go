package lbaas

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReconcileNeverCreatesTwiceWhenTheEngineActsAndTheAnswerIsLost(t *testing.T) {
	f := newFixture(t, Faults{ActThenFailRate: 0.3, ActThenHangRate: 0.3, SlowDelay: time.Hour, Seed: 5}, 100*time.Millisecond)
	r := f.reconciler(t, converge.WithReplaceLimit(20))
	require.NoError(t, r.Reconcile(t.Context()))
	faulted := f.api.Faulted()
	require.Positive(t, faulted["act then 503"], "the fake acted and then failed")
	require.Positive(t, faulted["act then hang"], "the fake acted and then hung")
	f.assertConverged(t, r) // exactly one of each, each tagged

	before := f.api.MutatingCalls()
	require.NoError(t, r.Reconcile(t.Context()))
	assert.Equal(t, before, f.api.MutatingCalls(), "the second run only reads")
	assert.Equal(t, converged, f.kinds(t), "the second run shows exactly one of each")
}

func TestReconcileAdoptsWhatALostCreateLeftUntagged(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	// A create of an earlier run whose answer was lost: made, never tagged.
	orphan, err := f.api.Put(Resource{Kind: KindBackend, Name: "http.web.default.prod", LoadBalancer: f.svc.LoadBalancer,
		Mode: "tcp", HealthCheck: backendHealthCheck})
	require.NoError(t, err)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	assert.Equal(t, orphan, named(t, r, KindBackend, "http.web.default.prod").Identifier, "adopted, not made again")
	assert.Equal(t, 1, f.api.Calls()["POST backend"], "only the other backend was posted")
}

func TestReconcileDestroysAnUntaggedLeftoverThatDoesNotFit(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	wrong, err := f.api.Put(Resource{Kind: KindBackend, Name: "http.web.default.prod", LoadBalancer: f.svc.LoadBalancer, Mode: "http"})
	require.NoError(t, err)
	failed, err := f.api.Put(Resource{Kind: KindBackend, Name: "https.web.default.prod", LoadBalancer: f.svc.LoadBalancer,
		Mode: "tcp", HealthCheck: backendHealthCheck})
	require.NoError(t, err)
	require.NoError(t, f.api.SetState(failed, StateDeploymentError))
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	for _, id := range []string{wrong, failed} {
		_, err := f.c.Get(t.Context(), KindBackend, id)
		assert.True(t, IsNotFound(err), "the leftover %s was destroyed", id)
	}
}

func TestReconcileLeavesANamesakeAnotherServiceClaimsAlone(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	theirs, err := f.api.Put(Resource{Kind: KindBackend, Name: "http.web.default.prod", LoadBalancer: f.svc.LoadBalancer,
		Mode: "tcp", HealthCheck: backendHealthCheck}, tagPrefix+"other")
	require.NoError(t, err)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r, theirs)
	assert.Equal(t, []string{tagPrefix + "other"}, f.api.Tags(theirs), "neither adopted nor destroyed")
}

func TestReconcileLeavesAnUntaggedNamesakeUnderAnotherParentAlone(t *testing.T) {
	s := NewServer(Faults{}, "")
	// An Engine that ignores the listing's filters: the adopter must check the parent itself.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		q.Del("filters")
		req.URL.RawQuery = q.Encode()
		s.ServeHTTP(w, req)
	}))
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, time.Second)
	require.NoError(t, err)
	lb := putLB(t, s)
	otherLB := putLB(t, s)
	strange, err := s.Put(Resource{Kind: KindBackend, Name: "http", LoadBalancer: otherLB, Mode: "tcp", HealthCheck: backendHealthCheck})
	require.NoError(t, err)
	svc := Service{UID: "u", LoadBalancer: lb, Ports: []Port{{Name: "http", External: 80, Internal: 30080}},
		ExternalIPs: []string{"192.0.2.1"}, Nodes: []Node{{Name: "n", Address: "10.0.0.1"}}}
	r, err := New(c, svc, WithReconcilerOptions(testPolicies...))
	require.NoError(t, err)
	require.NoError(t, r.Reconcile(t.Context()))
	_, err = c.Get(t.Context(), KindBackend, strange)
	assert.NoError(t, err, "a namesake on another load balancer is not ours to destroy")
	assert.Equal(t, 1, s.Calls()["POST backend"], "ours was made")
}
