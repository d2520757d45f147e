package bmdb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
)

func TestGCPassesOverTheRowsAFrozenTransactionHoldsAndCollectsThemLater(t *testing.T) {
	dsn := postgresServer(t).NewDatabase(t)
	clock := bmdbtest.NewClock(epoch)
	db := open(t, dsn, bmdb.WithClock(clock.Now))
	ctx := context.Background()
	require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, machines(3)...))
	dead := session(t, db, time.Second)
	src := dead.Source(bmdb.Provision, fast...)
	for range 3 {
		_, err := getWithin(src, time.Second)
		require.NoError(t, err)
	}
	clock.Advance(time.Second) // the session expires

	// A process frozen in the middle of a transaction that wrote one of the leases.
	raw, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer raw.Close()
	frozen, err := raw.Begin()
	require.NoError(t, err)
	_, err = frozen.Exec(`UPDATE work SET token = token WHERE machine_id = 'm01'`)
	require.NoError(t, err)

	gcCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := db.GC(gcCtx)
	require.NoError(t, err, "GC does not wait for the frozen transaction")
	assert.Equal(t, bmdb.Collected{Leases: 2}, c, "it released what it could lock, and kept the session that still holds a lease")

	require.NoError(t, frozen.Rollback()) // the server ended the frozen transaction
	c, err = db.GC(ctx)
	require.NoError(t, err)
	assert.Equal(t, bmdb.Collected{Leases: 1, Sessions: 1}, c, "a later collection takes the rest")
}

func TestEveryWaitOnPostgresIsBoundedFromTheTTL(t *testing.T) {
	dsn := postgresServer(t).NewDatabase(t)
	ttl := 2 * time.Second
	db := open(t, dsn, bmdb.WithTTL(ttl))
	ctx := context.Background()
	require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, "m1"))
	pool := bmdb.SQL(db)
	raw, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer raw.Close()
	code := func(err error) string {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return pe.Code
		}
		return ""
	}

	t.Run("a lock wait ends after a tenth of the TTL", func(t *testing.T) {
		holder, err := raw.Begin()
		require.NoError(t, err)
		defer holder.Rollback()
		_, err = holder.Exec(`SELECT 1 FROM machines WHERE machine_id = 'm1' FOR UPDATE`)
		require.NoError(t, err)
		start := time.Now()
		_, err = pool.Exec(`UPDATE machines SET created = created WHERE machine_id = 'm1'`)
		assert.Equal(t, "55P03", code(err), "lock_timeout: %v", err)
		assert.True(t, bmdb.Transient(err))
		assert.Less(t, time.Since(start), ttl/2)
	})
	t.Run("a statement ends after a quarter of the TTL", func(t *testing.T) {
		start := time.Now()
		_, err := pool.Exec(`SELECT pg_sleep(5)`)
		assert.Equal(t, "57014", code(err), "statement_timeout: %v", err)
		assert.GreaterOrEqual(t, time.Since(start), ttl/4)
		assert.Less(t, time.Since(start), ttl)
	})
	t.Run("a transaction left idle with locks is ended by the server after a quarter of the TTL", func(t *testing.T) {
		idle, err := pool.Begin()
		require.NoError(t, err)
		defer idle.Rollback()
		_, err = idle.Exec(`UPDATE machines SET created = created WHERE machine_id = 'm1'`)
		require.NoError(t, err)
		start := time.Now()
		eventually(t, 10*time.Second, "the row is free again", func() bool {
			_, err := raw.Exec(`SELECT 1 FROM machines WHERE machine_id = 'm1' FOR UPDATE NOWAIT`)
			return err == nil
		})
		assert.GreaterOrEqual(t, time.Since(start), ttl/4-50*time.Millisecond)
		assert.Less(t, time.Since(start), ttl)
		_, err = idle.Exec(`SELECT 1`)
		assert.Error(t, err, "the transaction was ended")
	})
}
