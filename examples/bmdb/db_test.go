package bmdb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

func TestOpenRejectsADataSourceNameItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
	}{
		{"empty", ""},
		{"unknown scheme", "mysql://root@localhost/bmdb"},
		{"sqlite prefix with no path", "sqlite:"},
		{"sqlite path with parameters", "sqlite:/tmp/x.db?mode=ro"},
		{"postgres URL that does not parse", "postgres://[::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := bmdb.Open(context.Background(), tt.dsn)
			require.Error(t, err)
			assert.Nil(t, db)
			assert.ErrorIs(t, err, bmdb.ErrBadDSN)
			assert.Contains(t, err.Error(), "postgres://", "the error says what a good name looks like")
		})
	}
}

func TestOpenOfAnUnreachablePostgresNamesTheDialect(t *testing.T) {
	// Port 1 on loopback: nothing listens there, so the connection is refused at once.
	_, err := bmdb.Open(context.Background(), "postgres://postgres@127.0.0.1:1/bmdb?sslmode=disable&connect_timeout=2")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bmdb: connect to postgres")
	assert.NotErrorIs(t, err, bmdb.ErrBadDSN, "a good name of a server that is down is not a bad name")
}

func TestOpenMigratesANewDatabaseAndReopensItUnchanged(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		dsn := d.newDSN(t)
		db := open(t, dsn)
		assert.Equal(t, d.name, db.Dialect())
		require.NoError(t, db.AddMachines(context.Background(), "new", "m1"))
		require.NoError(t, db.Close())

		db = open(t, dsn)
		st, err := db.Stats(context.Background())
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"new": 1}, st.Stages, "reopening keeps the data")
	})
}

func TestOpenRefusesASchemaNewerThanTheProgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bmdb.sqlite")
	require.NoError(t, open(t, path).Close())
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = raw.Exec(`INSERT INTO schema_version (version) VALUES (?)`, bmdb.SchemaVersion+1)
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	_, err = bmdb.Open(context.Background(), path)
	require.ErrorIs(t, err, bmdb.ErrSchemaTooNew)
	var se *bmdb.SchemaError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, bmdb.SchemaError{Have: bmdb.SchemaVersion + 1, Want: bmdb.SchemaVersion}, *se)
	assert.Contains(t, err.Error(), "upgrade the program")
}
