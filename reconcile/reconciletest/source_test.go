package reconciletest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile"
	"github.com/steadfast-go/steadfast/reconcile/reconciletest"
)

func TestSourceGetBlocksUntilAPushThenHandsKeysOutInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		go func() { time.Sleep(time.Second); src.Push("a", "b") }()
		start := time.Now()
		k, err := src.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "a", k)
		assert.Equal(t, time.Second, time.Since(start))
		k, err = src.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "b", k)
		assert.Equal(t, 2, src.Out())
	})
}

func TestSourceGetReturnsScriptedErrorsThenShutdownAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		errDB := errors.New("db down")
		src.Push("a")
		src.FailGet(errDB)
		src.Close()
		_, err := src.Get(t.Context())
		assert.ErrorIs(t, err, errDB, "scripted errors come first")
		k, err := src.Get(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "a", k, "pending keys are handed out after Close")
		_, err = src.Get(t.Context())
		assert.ErrorIs(t, err, reconcile.ErrShutdown)
		assert.ErrorIs(t, src.Resync("b"), reconcile.ErrShutdown)
	})
}

func TestSourceGetEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var src reconciletest.Source[string]
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := src.Get(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestSourceRecordsReportsAndContractViolations(t *testing.T) {
	var src reconciletest.Source[string]
	errLease := errors.New("lease lost")
	src.FailDone("a", errLease)
	src.Push("a")
	k, err := src.Get(t.Context())
	require.NoError(t, err)
	done := reconcile.Outcome{Kind: reconcile.OutcomeDone}
	assert.ErrorIs(t, src.Done(t.Context(), k, done), errLease)
	assert.Empty(t, src.Violations())
	assert.ErrorIs(t, src.Done(t.Context(), k, done), errLease) // reported twice
	require.NoError(t, src.Done(t.Context(), "never-taken", done))
	assert.Len(t, src.Violations(), 2)
	assert.Equal(t, []reconciletest.Report[string]{{"a", done}, {"a", done}, {"never-taken", done}}, src.Reports())
	assert.Zero(t, src.Out())
}
