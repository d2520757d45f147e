package leader_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	coordinationclient "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/rest"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/leader"
	"github.com/steadfast-go/steadfast/examples/watchk8s"
)

// leaseClient serves Leases on a loopback server for the test and returns a client of the
// namespace "ns".
func leaseClient(t *testing.T, h http.Handler) coordinationclient.LeaseInterface {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)
	t.Cleanup(cs.CoordinationV1().RESTClient().(*rest.RESTClient).Client.CloseIdleConnections)
	return cs.CoordinationV1().Leases("ns")
}

// clock is an observer's clock, moved by the test.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

func k8sLock(t *testing.T, leases coordinationclient.LeaseInterface) (*leader.K8sLock, *clock) {
	t.Helper()
	l, err := leader.NewK8sLock(leases, "lbaas")
	require.NoError(t, err)
	c := &clock{}
	leader.SetClock(l, c.now)
	return l, c
}

func claim(id string) connctx.Claim { return connctx.Claim{Identity: id, Duration: 2 * time.Second} }

func TestK8sLockTakesOverOnlyAfterTheRecordWentUnchangedForTheLeaseDuration(t *testing.T) {
	leases := leaseClient(t, watchk8s.NewLeases())
	a, _ := k8sLock(t, leases)
	b, bc := k8sLock(t, leases)
	ctx := t.Context()

	ha, err := a.Acquire(ctx, claim("a"))
	require.NoError(t, err)
	assert.Equal(t, connctx.Holder{Identity: "a", Token: 1}, ha, "the first holder's token is 1")
	got, err := b.Acquire(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, ha, got, "a live lease is not taken")

	bc.advance(2*time.Second - 10*time.Millisecond)
	got, err = b.Acquire(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, ha, got, "not yet expired as b observed it")

	got, err = a.Renew(ctx, claim("a"), ha)
	require.NoError(t, err)
	assert.Equal(t, ha, got, "a renewal keeps the token")
	bc.advance(time.Second)
	got, err = b.Acquire(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, ha, got, "a renewal restarted b's observation: the lease is a's for 2 s from when b saw it renewed")

	bc.advance(2*time.Second + 10*time.Millisecond)
	hb, err := b.Acquire(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, connctx.Holder{Identity: "b", Token: 2}, hb, "after expiry b takes it, and the token grows")

	got, err = a.Renew(ctx, claim("a"), ha)
	require.NoError(t, err)
	assert.Equal(t, hb, got, "a renewal after the loss returns the new holder")
	got, err = a.Release(ctx, claim("a"), ha)
	require.NoError(t, err)
	assert.Equal(t, hb, got, "a release of a lost lease changes nothing")
	got, err = b.Acquire(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, hb, got, "acquiring one's own live lease keeps the token")

	got, err = b.Release(ctx, claim("b"), hb)
	require.NoError(t, err)
	assert.Equal(t, connctx.Holder{}, got, "released: nobody")
	ha2, err := a.Acquire(ctx, claim("a"))
	require.NoError(t, err)
	assert.Equal(t, connctx.Holder{Identity: "a", Token: 3}, ha2, "a released lease is taken at once, with a larger token")
	got, err = b.Renew(ctx, claim("b"), hb)
	require.NoError(t, err)
	assert.Equal(t, ha2, got)
}

// racing makes the lock's next Get let another lock write first, between its read and its
// write, as a replica that loses the race to the API server sees.
type racing struct {
	coordinationclient.LeaseInterface
	once  sync.Once
	other func()
}

func (r *racing) Get(ctx context.Context, name string, o metav1.GetOptions) (*coordinationv1.Lease, error) {
	lease, err := r.LeaseInterface.Get(ctx, name, o)
	r.once.Do(r.other)
	return lease, err
}

func TestK8sLockAConflictAnswersWithTheHolderThatWonNotAnError(t *testing.T) {
	srv := watchk8s.NewLeases()
	leases := leaseClient(t, srv)
	ctx := t.Context()
	b, _ := k8sLock(t, leases)
	var hb connctx.Holder
	r := &racing{LeaseInterface: leases, other: func() {
		var err error
		hb, err = b.Acquire(ctx, claim("b"))
		assert.NoError(t, err)
	}}
	a, _ := k8sLock(t, r)
	got, err := a.Acquire(ctx, claim("a"))
	require.NoError(t, err, "the lease did not exist when a read it: a's create meets b's (409 AlreadyExists)")
	assert.Equal(t, connctx.Holder{Identity: "b", Token: 1}, got)
	assert.Equal(t, hb, got)

	// A takeover that loses the race: c has seen b's lease expire, and d takes it first.
	c, cc := k8sLock(t, &racing{LeaseInterface: leases, other: func() {}}) // its first Get is plain
	_, err = c.Acquire(ctx, claim("c"))
	require.NoError(t, err)
	cc.advance(3 * time.Second)
	d, dc := k8sLock(t, leases)
	_, err = d.Acquire(ctx, claim("d"))
	require.NoError(t, err)
	dc.advance(3 * time.Second)
	var hd connctx.Holder
	c2 := &racing{LeaseInterface: leases, other: func() {
		var err error
		hd, err = d.Acquire(ctx, claim("d"))
		assert.NoError(t, err)
	}}
	leader.SetLeases(c, c2)
	_, conflictsBefore := srv.Writes()
	got, err = c.Acquire(ctx, claim("c"))
	require.NoError(t, err)
	assert.Equal(t, connctx.Holder{Identity: "d", Token: 2}, hd)
	assert.Equal(t, hd, got, "c's update met d's (409 Conflict): c returns d")
	_, conflicts := srv.Writes()
	assert.Equal(t, conflictsBefore+1, conflicts, "the API server refused c's update")
}

func TestK8sLockErrors(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	leases := leaseClient(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","code":` +
			map[int32]string{503: `503,"reason":"ServiceUnavailable"}`, 403: `403,"reason":"Forbidden"}`}[status.Load()]))
	}))
	l, _ := k8sLock(t, leases)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := l.Renew(ctx, claim("a"), connctx.Holder{Identity: "a", Token: 1})
	require.Error(t, err)
	_, permanent := backoff.IsPermanent(err)
	assert.False(t, permanent, "a 503 is worth another try: %v", err)
	status.Store(http.StatusForbidden)
	_, err = l.Acquire(ctx, claim("a"))
	_, permanent = backoff.IsPermanent(err)
	assert.True(t, permanent, "a 403 is not: %v", err)
}

func TestK8sLockWritesWholeSecondsAndAConflictThatSaysNothingIsRetryable(t *testing.T) {
	srv := watchk8s.NewLeases()
	leases := leaseClient(t, srv)
	ctx := t.Context()
	a2, _ := k8sLock(t, leases) // the same identity's other lock: a renewal of a's that lands late
	h, err := a2.Acquire(ctx, connctx.Claim{Identity: "a", Duration: 1500 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, int32(2), *srv.Lease("ns", "lbaas").Spec.LeaseDurationSeconds, "1.5 s is written as 2 s")

	a, _ := k8sLock(t, &racing{LeaseInterface: leases, other: func() {
		_, err := a2.Renew(ctx, claim("a"), h)
		assert.NoError(t, err)
	}})
	_, err = a.Renew(ctx, claim("a"), h)
	require.ErrorIs(t, err, leader.ErrConflict, "the lease changed, and is still held as h")
	_, permanent := backoff.IsPermanent(err)
	assert.False(t, permanent)
	got, err := a.Renew(ctx, claim("a"), h)
	require.NoError(t, err)
	assert.Equal(t, h, got, "the next try renews")
}
