package watchk8s

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func TestLeasesAreWrittenWithOptimisticConcurrencyThroughClientGo(t *testing.T) {
	srv := newAPIServer(0, nil) // the pods' server serves Leases beside them
	defer srv.Close()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	require.NoError(t, err)
	leases := cs.CoordinationV1().Leases("kube-system")
	ctx := t.Context()

	_, err = leases.Get(ctx, "lbaas", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "get of a missing lease: %v", err)
	holder, secs := "a", int32(2)
	created, err := leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "lbaas"},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, RenewTime: &metav1.MicroTime{Time: time.Now()}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "1", created.ResourceVersion)
	assert.Equal(t, "kube-system", created.Namespace)
	_, err = leases.Create(ctx, created, metav1.CreateOptions{})
	assert.True(t, apierrors.IsAlreadyExists(err), "create of an existing lease: %v", err)

	b := "b"
	mine := created.DeepCopy()
	mine.Spec.HolderIdentity = &b
	updated, err := leases.Update(ctx, mine, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "2", updated.ResourceVersion, "every write gives a new resourceVersion")
	assert.Equal(t, created.UID, updated.UID)

	stale := created.DeepCopy() // another writer still holding version 1
	_, err = leases.Update(ctx, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err), "an update from a stale resourceVersion: %v", err)
	assert.ErrorContains(t, err, `Operation cannot be fulfilled on leases.coordination.k8s.io "lbaas"`)
	stale.ResourceVersion = ""
	_, err = leases.Update(ctx, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsInvalid(err), "an unconditional update: %v", err)
	stale.Name = "other"
	_, err = leases.Update(ctx, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsBadRequest(err) || apierrors.IsNotFound(err), "%v", err)

	got, err := leases.Get(ctx, "lbaas", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "b", *got.Spec.HolderIdentity, "the refused updates wrote nothing")
	writes, conflicts := srv.leases.Writes()
	assert.Equal(t, 2, writes)
	assert.Equal(t, 1, conflicts)
}
