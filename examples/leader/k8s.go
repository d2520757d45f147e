package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationclient "k8s.io/client-go/kubernetes/typed/coordination/v1"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
)

// ErrConflict is the error of a call whose write lost to another writer (a 409 from the API
// server) when the lease read again does not say who holds it: try again.
var ErrConflict = errors.New("leader: the lease changed while it was written")

// K8sLock is a [connctx.Lock] over a coordination.k8s.io/v1 Lease, through client-go's typed
// client: a get, then a create or an update that carries the resourceVersion it read, so that
// of two writers the API server lets one win and answers the other 409.
//
// The holder is spec.holderIdentity; the fencing token is spec.leaseTransitions, which grows
// by one each time the lease changes hands and stays through renewals. Expiry is judged as
// client-go's leaderelection judges it, without trusting the holder's clock: the lease has
// expired when this K8sLock has seen the same record (holder, times, duration, transitions)
// for spec.leaseDurationSeconds, on the local monotonic clock, since it first saw it. A Lease
// has whole seconds: the claim's Duration is rounded up to one. Safe for concurrent use.
type K8sLock struct {
	leases coordinationclient.LeaseInterface
	name   string
	now    func() time.Time

	mu       sync.Mutex
	observed coordinationv1.LeaseSpec // the record last seen
	seen     time.Time                // when it was first seen, on the monotonic clock
}

var _ connctx.Lock = (*K8sLock)(nil)

// NewK8sLock returns the lock of the Lease called name, through leases (a typed client's
// CoordinationV1().Leases(namespace)). It does no I/O.
func NewK8sLock(leases coordinationclient.LeaseInterface, name string) (*K8sLock, error) {
	if leases == nil || name == "" {
		return nil, fmt.Errorf("leader: NewK8sLock needs a Lease client and a lease name")
	}
	return &K8sLock{leases: leases, name: name, now: time.Now}, nil
}

// Acquire takes the lease for c.Identity if it does not exist, is free (no holder), has
// expired as this lock observed it, or is c.Identity's. The token grows unless c.Identity
// holds a lease that has not expired.
func (l *K8sLock) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	lease, err := l.leases.Get(ctx, l.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return l.create(ctx, c)
	}
	if err != nil {
		return connctx.Holder{}, k8sError("get", err)
	}
	live := l.observe(lease)
	holder := holderOf(lease)
	if live && holder.Identity != "" && holder.Identity != c.Identity {
		return holder, nil
	}
	now := metav1.NewMicroTime(l.now())
	spec := lease.Spec.DeepCopy()
	if !live || holder.Identity != c.Identity {
		spec.LeaseTransitions = ptr(deref(lease.Spec.LeaseTransitions) + 1)
		spec.AcquireTime = &now
	}
	spec.HolderIdentity, spec.RenewTime = ptr(c.Identity), &now
	spec.LeaseDurationSeconds = ptr(seconds(c.Duration))
	return l.update(ctx, lease, spec, "acquire")
}

// create makes the lease, held by c.Identity with token 1. Another's create that came first
// (409 AlreadyExists) is answered with the holder it made.
func (l *K8sLock) create(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	now := metav1.NewMicroTime(l.now())
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: l.name}, Spec: coordinationv1.LeaseSpec{
		HolderIdentity: ptr(c.Identity), LeaseDurationSeconds: ptr(seconds(c.Duration)),
		AcquireTime: &now, RenewTime: &now, LeaseTransitions: ptr(int32(1))}}
	made, err := l.leases.Create(ctx, lease, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return l.reread(ctx, "create", connctx.Holder{})
	}
	if err != nil {
		return connctx.Holder{}, k8sError("create", err)
	}
	l.observe(made)
	return holderOf(made), nil
}

// Renew writes a new renewTime if the lease is held as h.
func (l *K8sLock) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	lease, err := l.get(ctx)
	if err != nil || lease == nil || holderOf(lease) != h || h == (connctx.Holder{}) {
		return holderOf(lease), err
	}
	now := metav1.NewMicroTime(l.now())
	spec := lease.Spec.DeepCopy()
	spec.RenewTime, spec.LeaseDurationSeconds = &now, ptr(seconds(c.Duration))
	return l.updateAs(ctx, lease, spec, "renew", h)
}

// Release clears the holder if the lease is held as h, keeping the token, so that another
// can take it at once (as client-go's release, which also leaves a one-second duration).
func (l *K8sLock) Release(ctx context.Context, _ connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	lease, err := l.get(ctx)
	if err != nil || lease == nil || holderOf(lease) != h || h == (connctx.Holder{}) {
		return holderOf(lease), err
	}
	now := metav1.NewMicroTime(l.now())
	spec := lease.Spec.DeepCopy()
	spec.HolderIdentity, spec.RenewTime, spec.LeaseDurationSeconds = nil, &now, ptr(int32(1))
	return l.updateAs(ctx, lease, spec, "release", h)
}

// get reads the lease; nil if it does not exist.
func (l *K8sLock) get(ctx context.Context) (*coordinationv1.Lease, error) {
	lease, err := l.leases.Get(ctx, l.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, k8sError("get", err)
	}
	l.observe(lease)
	return lease, nil
}

func (l *K8sLock) update(ctx context.Context, lease *coordinationv1.Lease, spec *coordinationv1.LeaseSpec, op string) (connctx.Holder, error) {
	return l.updateAs(ctx, lease, spec, op, connctx.Holder{})
}

// updateAs writes spec over lease, conditional on its resourceVersion. A 409 Conflict (or a
// 404: deleted meanwhile) means another wrote first: the lease is read again and its holder
// returned, unless it is still as (or none, for an acquire), which says nothing.
func (l *K8sLock) updateAs(ctx context.Context, lease *coordinationv1.Lease, spec *coordinationv1.LeaseSpec, op string, as connctx.Holder) (connctx.Holder, error) {
	next := lease.DeepCopy()
	next.Spec = *spec
	got, err := l.leases.Update(ctx, next, metav1.UpdateOptions{})
	switch {
	case apierrors.IsConflict(err), apierrors.IsNotFound(err):
		return l.reread(ctx, op, as)
	case err != nil:
		return connctx.Holder{}, k8sError(op, err)
	}
	l.observe(got)
	return holderOf(got), nil
}

// reread reads the lease after a write that lost, and returns its holder if it is another
// than as; otherwise it is an [ErrConflict].
func (l *K8sLock) reread(ctx context.Context, op string, as connctx.Holder) (connctx.Holder, error) {
	lease, err := l.get(ctx)
	if err != nil {
		return connctx.Holder{}, err
	}
	if h := holderOf(lease); h != as {
		return h, nil
	}
	return connctx.Holder{}, fmt.Errorf("leader: %s: %w", op, ErrConflict)
}

// observe records lease's spec, restarting the expiry clock if it differs from the record
// last seen, and reports whether the lease is live: not yet expired as observed.
func (l *K8sLock) observe(lease *coordinationv1.Lease) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen.IsZero() || !sameSpec(l.observed, lease.Spec) {
		l.observed, l.seen = *lease.Spec.DeepCopy(), now
	}
	d := time.Duration(deref(lease.Spec.LeaseDurationSeconds)) * time.Second
	return now.Before(l.seen.Add(d))
}

// sameSpec compares the fields of the record: a renewal changes renewTime.
func sameSpec(a, b coordinationv1.LeaseSpec) bool {
	return deref(a.HolderIdentity) == deref(b.HolderIdentity) &&
		deref(a.LeaseDurationSeconds) == deref(b.LeaseDurationSeconds) &&
		deref(a.LeaseTransitions) == deref(b.LeaseTransitions) &&
		microEqual(a.RenewTime, b.RenewTime) && microEqual(a.AcquireTime, b.AcquireTime)
}

func microEqual(a, b *metav1.MicroTime) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b)
}

// holderOf is the lease's holder: the zero Holder if nil or held by nobody.
func holderOf(lease *coordinationv1.Lease) connctx.Holder {
	if lease == nil || deref(lease.Spec.HolderIdentity) == "" {
		return connctx.Holder{}
	}
	return connctx.Holder{Identity: *lease.Spec.HolderIdentity, Token: uint64(max(deref(lease.Spec.LeaseTransitions), 0))}
}

// k8sError wraps err, [backoff.Permanent] when the API server refused the request in a way
// another try will not change (forbidden, unauthorized, invalid, bad request).
func k8sError(op string, err error) error {
	err = fmt.Errorf("leader: lease %s: %w", op, err)
	if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsInvalid(err) ||
		apierrors.IsBadRequest(err) || apierrors.IsMethodNotSupported(err) {
		return backoff.Permanent(err)
	}
	return err
}

// seconds is d in whole seconds, rounded up, at least one.
func seconds(d time.Duration) int32 {
	return int32(max((d+time.Second-1)/time.Second, 1))
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
