package bmdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAClaimWhoseAnswerWasLostIsAdoptedByTheNext(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "bmdb.sqlite"))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.AddMachines(ctx, "new", "m1", "m2", "m3"))
	s, err := db.OpenSession(ctx, t.Name())
	require.NoError(t, err)
	p := Process{Name: "provision", From: "new", To: "provisioned"}
	src := s.Source(p, SourceBatch(2))

	lost, err := src.claim(ctx, 2) // committed; then the connection broke before the answer
	require.NoError(t, err)
	require.Len(t, lost, 2)
	src.suspect.Store(true) // as claimOnce does after any failed claim

	getCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var got []Lease
	for range 3 {
		l, err := src.Get(getCtx)
		require.NoError(t, err)
		got = append(got, l)
	}
	assert.Equal(t, lost, got[:2], "the next claim first adopts the leases taken by the lost one")
	assert.Equal(t, "m3", got[2].Machine, "then claims as usual")
	_, err = src.Get(getCtx)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "nothing is handed out twice: %v", err)
}
