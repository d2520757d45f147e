package leader_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
	"github.com/steadfast-go/steadfast/examples/leader"
)

func pgPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// expires reads the lease's expiry and whether it has passed, by the database's clock.
func expires(t *testing.T, pool *pgxpool.Pool) (time.Time, bool) {
	t.Helper()
	var at time.Time
	var passed bool
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT expires, expires <= now() FROM `+leader.PGTable+` WHERE name = 'lbaas'`).Scan(&at, &passed))
	return at, passed
}

func TestPGLock(t *testing.T) {
	pg := bmdbtest.StartPostgres(t)
	dsn := pg.NewDatabase(t)
	pool := pgPool(t, dsn)
	a, err := leader.NewPGLock(pool, "lbaas")
	require.NoError(t, err)
	b, err := leader.NewPGLock(pgPool(t, dsn), "lbaas")
	require.NoError(t, err)
	ctx := t.Context()

	t.Run("a missing table is a permanent error", func(t *testing.T) {
		_, err := a.Acquire(ctx, claim("a"))
		_, permanent := backoff.IsPermanent(err)
		assert.True(t, permanent, "%v", err)
	})
	require.NoError(t, a.CreateTable(ctx))
	require.NoError(t, b.CreateTable(ctx), "CreateTable again changes nothing")

	t.Run("rules", func(t *testing.T) {
		short := connctx.Claim{Identity: "a", Duration: 300 * time.Millisecond}
		ha, err := a.Acquire(ctx, short)
		require.NoError(t, err)
		assert.Equal(t, connctx.Holder{Identity: "a", Token: 1}, ha)
		got, err := b.Acquire(ctx, claim("b"))
		require.NoError(t, err)
		assert.Equal(t, ha, got, "a live lease is not taken")
		got, err = a.Acquire(ctx, short)
		require.NoError(t, err)
		assert.Equal(t, ha, got, "acquiring one's own live lease keeps the token")

		before, _ := expires(t, pool)
		got, err = a.Renew(ctx, short, ha)
		require.NoError(t, err)
		assert.Equal(t, ha, got, "a renewal keeps the token")
		after, _ := expires(t, pool)
		assert.True(t, after.After(before), "a renewal moves the expiry later: %v, then %v", before, after)

		require.Eventually(t, func() bool { _, passed := expires(t, pool); return passed }, 10*time.Second, 20*time.Millisecond)
		hb, err := b.Acquire(ctx, claim("b"))
		require.NoError(t, err)
		assert.Equal(t, connctx.Holder{Identity: "b", Token: 2}, hb, "after expiry b takes it, and the token grows")

		got, err = a.Renew(ctx, short, ha)
		require.NoError(t, err)
		assert.Equal(t, hb, got, "a renewal after the loss returns the new holder")
		got, err = a.Release(ctx, short, ha)
		require.NoError(t, err)
		assert.Equal(t, hb, got, "a release of a lost lease changes nothing")

		got, err = b.Release(ctx, claim("b"), hb)
		require.NoError(t, err)
		assert.Equal(t, connctx.Holder{}, got, "released: nobody")
		ha2, err := a.Acquire(ctx, claim("a"))
		require.NoError(t, err)
		assert.Equal(t, connctx.Holder{Identity: "a", Token: 3}, ha2, "a released lease is taken at once, with a larger token")
		got, err = b.Renew(ctx, claim("b"), hb)
		require.NoError(t, err)
		assert.Equal(t, ha2, got)
		_, err = a.Release(ctx, claim("a"), ha2)
		require.NoError(t, err)
	})

	t.Run("every statement is bounded by its context, and a timeout is retryable", func(t *testing.T) {
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(context.Background()) }()
		_, err = tx.Exec(ctx, `SELECT FROM `+leader.PGTable+` WHERE name = 'lbaas' FOR UPDATE`)
		require.NoError(t, err)
		tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = b.Acquire(tctx, claim("b")) // waits for the row's lock
		require.Error(t, err)
		assert.Less(t, time.Since(start), 5*time.Second)
		_, permanent := backoff.IsPermanent(err)
		assert.False(t, permanent, "%v", err)
	})

	t.Run("a server that is down is a retryable error", func(t *testing.T) {
		require.NoError(t, pg.Crash())
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := a.Acquire(tctx, claim("a"))
		require.Error(t, err)
		_, permanent := backoff.IsPermanent(err)
		assert.False(t, permanent, "%v", err)
		require.NoError(t, pg.Restart(ctx))
		h, err := a.Acquire(ctx, claim("a"))
		require.NoError(t, err, "the pool reconnects")
		assert.NotEqual(t, connctx.Holder{}, h, "a's, or b's if b's timed-out acquire was carried out after its lock was let go")
	})
}

func TestPGLockRetriesTheServersTimeoutsAndRefusalsAreFinal(t *testing.T) {
	for code, retried := range map[string]bool{
		"57014": true, "55P03": true, "25P03": true, "57P01": true, "08006": true, "40001": true, "53300": true,
		"42P01": false, "42501": false, "22P02": false,
	} {
		_, permanent := backoff.IsPermanent(leader.PGError("renew", &pgconn.PgError{Code: code}))
		assert.Equal(t, !retried, permanent, "SQLSTATE %s", code)
	}
}
