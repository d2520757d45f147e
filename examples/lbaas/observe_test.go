package lbaas

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReconcilePlanAndStatusRefuseAMissingLoadBalancerClearly(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	f.svc.LoadBalancer = "0123456789abcdef0123456789abcdef"
	r := f.reconciler(t)
	err := r.Reconcile(t.Context())
	require.ErrorIs(t, err, ErrNoLoadBalancer)
	assert.ErrorContains(t, err, `"0123456789abcdef0123456789abcdef"`)
	_, err = r.Plan(t.Context())
	assert.ErrorIs(t, err, ErrNoLoadBalancer)
	_, err = r.Status(t.Context())
	assert.ErrorIs(t, err, ErrNoLoadBalancer)
	assert.Zero(t, f.api.MutatingCalls())
}

// syncBuffer is a log sink safe for the reconciler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestObserveSkipsATaggedResourceOfATypeItDoesNotManage(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	vm := f.api.PutForeign("vm-1", "8c9f0e1d2a3b4c5d6e7f8091a2b3c4d5", "Virtual Machine", f.svc.Tag())
	_, err := f.api.Put(Resource{Kind: KindLoadBalancer, Name: "lb-tagged"}, f.svc.Tag())
	require.NoError(t, err)
	var log syncBuffer
	r, err := New(f.c, f.svc, WithLogger(slog.New(slog.NewTextHandler(&log, nil))),
		WithReconcilerOptions(testPolicies...))
	require.NoError(t, err)
	require.NoError(t, r.Reconcile(t.Context()), "a foreign type is skipped, not fatal")
	f.assertConverged(t, r)
	assert.Contains(t, log.String(), "identifier="+vm, "the skip is reported")
	assert.Contains(t, log.String(), `type="Virtual Machine"`)
}

func TestObserveSeesOnlyTheServiceLoadBalancer(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	// The same service reconciled on a second load balancer (the origin's Multi) carries the
	// same tag there.
	other := putLB(t, f.api)
	tag := f.svc.Tag()
	be, err := f.api.Put(Resource{Kind: KindBackend, Name: "http.web.default.prod", LoadBalancer: other, Mode: "tcp",
		HealthCheck: backendHealthCheck}, tag)
	require.NoError(t, err)
	srv, err := f.api.Put(Resource{Kind: KindServer, Name: "n1.http.web.default.prod", Backend: be, Address: "10.0.0.1",
		Port: 30080, Check: serverCheck}, tag)
	require.NoError(t, err)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r, be, srv)
	for _, id := range []string{be, srv} {
		assert.Equal(t, []string{tag}, f.api.Tags(id), "the other load balancer's %s is left alone", id)
	}
}

func TestObserveKeepsABindWhoseFrontendIsGoneSoItIsDestroyed(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	fe := named(t, r, KindFrontend, "http.web.default.prod")
	require.NoError(t, f.c.Destroy(t.Context(), KindFrontend, fe.Identifier)) // its binds stay behind

	var destroyed []string
	var mu sync.Mutex
	r = f.reconciler(t, converge.WithHooks(converge.Hooks{OnDestroy: func(key string, err error) {
		mu.Lock()
		defer mu.Unlock()
		destroyed = append(destroyed, key)
	}}))
	require.NoError(t, r.Reconcile(t.Context()))
	f.assertConverged(t, r)
	assert.ElementsMatch(t, []string{"bind/v4.http.web.default.prod@192.0.2.10", "bind/v6.http.web.default.prod@2001:db8::10"}, destroyed)
}

func TestResourceNamesEndWithTheServiceNameSuffix(t *testing.T) {
	f := newFixture(t, Faults{}, time.Second)
	r := f.reconciler(t)
	require.NoError(t, r.Reconcile(t.Context()))
	var names []string
	for _, res := range f.api.Resources() {
		if res.Kind != KindLoadBalancer {
			names = append(names, string(res.Kind)+" "+res.Name)
		}
	}
	sfx := ".web.default.prod"
	assert.ElementsMatch(t, []string{
		"backend http" + sfx, "backend https" + sfx, "frontend http" + sfx, "frontend https" + sfx,
		"bind v4.http" + sfx, "bind v6.http" + sfx, "bind v4.https" + sfx, "bind v6.https" + sfx,
		"server n1.http" + sfx, "server n2.http" + sfx, "server n1.https" + sfx, "server n2.https" + sfx,
	}, names, "named as the origin names them: parts, then the suffix, joined by dots")
	assert.Equal(t, "v4.http", Service{}.name("v4", "", "http"), "empty parts and an empty suffix are left out")
}
