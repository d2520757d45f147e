package lbaas

import (
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// fixture is an embedded API on 127.0.0.1 holding one load balancer, and a service on it with
// two ports, two external IPs and two nodes: 2 backends, 2 frontends, 4 binds, 4 servers.
type fixture struct {
	api *Server
	c   *Client
	svc Service
}

func newFixture(t *testing.T, f Faults, attempt time.Duration) *fixture {
	t.Helper()
	s := NewServer(f, "")
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c, err := NewClient(hs.URL, "", fastRetry, attempt)
	require.NoError(t, err)
	lb, err := s.Put(Resource{Kind: KindLoadBalancer, Name: "lb-1"})
	require.NoError(t, err)
	return &fixture{api: s, c: c, svc: Service{
		UID: "svc-1", LoadBalancer: lb, NameSuffix: "web.default.prod",
		Ports:       []Port{{Name: "http", External: 80, Internal: 30080}, {Name: "https", External: 443, Internal: 30443}},
		ExternalIPs: []string{"192.0.2.10", "2001:db8::10"},
		Nodes:       []Node{{Name: "n1", Address: "10.0.0.1"}, {Name: "n2", Address: "10.0.0.2"}},
	}}
}

var testPolicies = []converge.Option{
	converge.WithReadyPolicy(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}),
	converge.WithRetryPolicy(backoff.Policy{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, MaxElapsed: 10 * time.Second}),
	converge.WithBudget(time.Minute),
}

func (f *fixture) reconciler(t *testing.T, opts ...converge.Option) *Reconciler {
	t.Helper()
	r, err := New(f.c, f.svc, WithReconcilerOptions(append(slices.Clone(testPolicies), opts...)...))
	require.NoError(t, err)
	return r
}

// kinds counts the server's resources by kind, the load balancer and foreign ones left out,
// and checks each carries the service's tag.
func (f *fixture) kinds(t *testing.T, foreign ...string) map[Kind]int {
	t.Helper()
	n := map[Kind]int{}
	for _, r := range f.api.Resources() {
		if r.Kind != KindLoadBalancer && !slices.Contains(foreign, r.Identifier) {
			n[r.Kind]++
			assert.Contains(t, f.api.Tags(r.Identifier), f.svc.Tag(), "%v is tagged", r)
		}
	}
	return n
}

// named returns the observed resource of the given kind and name.
func named(t *testing.T, r *Reconciler, k Kind, name string) Resource {
	t.Helper()
	observed, err := r.api.Observe(t.Context())
	require.NoError(t, err)
	for _, o := range observed {
		if o.Resource.Kind == k && o.Resource.Name == name {
			return o.Resource
		}
	}
	t.Fatalf("no %s %s observed", k, name)
	return Resource{}
}

var converged = map[Kind]int{KindBackend: 2, KindFrontend: 2, KindBind: 4, KindServer: 4}

// assertConverged checks the service's resources are exactly what it asks for, all ready.
func (f *fixture) assertConverged(t *testing.T, r *Reconciler, foreign ...string) {
	t.Helper()
	assert.Equal(t, converged, f.kinds(t, foreign...), "exactly the desired set, no orphan")
	plan, err := r.Plan(t.Context())
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "nothing left to do, got:\n%v", plan)
	status, err := r.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, map[string][]int{"192.0.2.10": {80, 443}, "2001:db8::10": {80, 443}}, status)
}

func TestReconcileFromEmptyCreatesEveryResource(t *testing.T) {
	f := newFixture(t, Faults{ProvisionDelay: 10 * time.Millisecond}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	calls := f.api.Calls()
	assert.Equal(t, 12, calls["POST tag"], "every created resource is tagged")
	assert.Zero(t, calls["DELETE server"]+calls["DELETE bind"])
}

func TestReconcileOfAConvergedServiceMakesNoMutatingCall(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	before := f.api.MutatingCalls()
	require.NoError(t, r.Reconcile(t.Context()))
	assert.Equal(t, before, f.api.MutatingCalls(), "a second run only reads")
}

func TestReconcileFromPartialStateKeepsWhatIsRight(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	tag := f.svc.Tag()
	be, err := f.api.Put(Resource{Kind: KindBackend, Name: "http.web.default.prod", LoadBalancer: f.svc.LoadBalancer,
		Mode: "tcp", HealthCheck: backendHealthCheck}, tag)
	require.NoError(t, err)
	_, err = f.api.Put(Resource{Kind: KindServer, Name: "n1.http.web.default.prod", Backend: be, Address: "10.0.0.1",
		Port: 30080, Check: "enabled"}, tag)
	require.NoError(t, err)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	assert.Equal(t, 10, f.api.Calls()["POST tag"], "the two that were there are kept")
	_, err = f.c.Get(t.Context(), KindBackend, be)
	assert.NoError(t, err, "the existing backend survives")
}

func TestReconcileRepairsDriftAndIgnoresForeignResources(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	tag := f.svc.Tag()
	be := named(t, r, KindBackend, "http.web.default.prod")
	var bind Resource
	observed, err := r.api.Observe(t.Context())
	require.NoError(t, err)
	for _, o := range observed {
		if o.Resource.Name == "v4.https.web.default.prod" {
			bind = o.Resource
		}
	}
	// Drift: a server for a node that is gone, a bind changed behind our back, and someone else's
	// server on our backend, tagged for another service.
	_, err = f.api.Put(Resource{Kind: KindServer, Name: "n9.http.web.default.prod", Backend: be.Identifier, Address: "10.0.0.9", Port: 30080}, tag)
	require.NoError(t, err)
	require.NoError(t, f.c.Destroy(t.Context(), KindBind, bind.Identifier))
	_, err = f.api.Put(Resource{Kind: KindBind, Name: bind.Name, Frontend: bind.Frontend, Address: bind.Address, Port: 8443}, tag)
	require.NoError(t, err)
	foreign, err := f.api.Put(Resource{Kind: KindServer, Name: "theirs", Backend: be.Identifier, Address: "10.9.9.9", Port: 1}, "steadfast-svc-uid=other")
	require.NoError(t, err)

	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r, foreign)
	_, err = f.c.Get(t.Context(), KindServer, foreign)
	assert.NoError(t, err, "a resource tagged for another service is left alone")
}

func TestReconcileReplacesAFailedFrontendAndItsBinds(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	fe := named(t, r, KindFrontend, "http.web.default.prod")
	require.NoError(t, f.api.SetState(fe.Identifier, StateDeploymentError))

	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	_, err := f.c.Get(t.Context(), KindFrontend, fe.Identifier)
	assert.True(t, IsNotFound(err), "the failed frontend was destroyed")
}

func TestReconcileSurvives5xxTimeoutsAndFailedProvisioning(t *testing.T) {
	f := newFixture(t, Faults{ProvisionDelay: 5 * time.Millisecond, FailRate: 0.2, ServerErrorRate: 0.2,
		SlowRate: 0.05, SlowDelay: time.Hour, Seed: 42}, 100*time.Millisecond)
	// A create fails when its POST is answered 503 or stalls (the Engine may have acted, and
	// the adopter finds nothing) or when it ends in DeploymentError: about 0.4 per try. A limit
	// of 16 failures per resource makes a give-up vanishingly unlikely (0.4^16 per resource).
	r := f.reconciler(t, converge.WithReplaceLimit(16))
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
}

func TestReconcileNamesAResourceStuckPending(t *testing.T) {
	f := newFixture(t, Faults{StuckRate: 1}, time.Second)
	r := f.reconciler(t, converge.WithReadyPolicy(backoff.Policy{Initial: time.Millisecond, MaxAttempts: 5}))
	err := r.Reconcile(t.Context())
	require.ErrorIs(t, err, converge.ErrNotReady)
	var stuck *converge.StuckError
	require.True(t, errors.As(err, &stuck))
	assert.Equal(t, []string{"backend/http.web.default.prod", "backend/https.web.default.prod"}, stuck.Resources)
}

func TestNewRefusesABadServiceBeforeAnyCall(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	f.svc.ExternalIPs = []string{"not-an-ip"}
	_, err := New(f.c, f.svc, nil)
	assert.ErrorContains(t, err, `external IP "not-an-ip" is not an IP address`)
	assert.Zero(t, f.api.MutatingCalls())
}

func TestReconcileOfADeletedServiceDestroysEverythingMadeForIt(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	require.NoError(t, f.reconciler(t).Reconcile(t.Context()))
	theirs, err := f.api.Put(Resource{Kind: KindBackend, Name: "theirs", LoadBalancer: f.svc.LoadBalancer, Mode: "tcp"}, tagPrefix+"other")
	require.NoError(t, err)

	f.svc = f.svc.Deleted()
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	assert.Empty(t, f.kinds(t, theirs), "nothing of the service is left")
	plan, err := r.Plan(t.Context())
	require.NoError(t, err)
	assert.True(t, plan.Empty())
	assert.Equal(t, []string{tagPrefix + "other"}, f.api.Tags(theirs), "another service's backend is left alone")
}
