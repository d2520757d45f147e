package bmdbtest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClockMovesOnlyWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := bmdbtest.NewClock(start)
	assert.Equal(t, start, c.Now())
	assert.Equal(t, start, c.Now(), "reading does not move it")
	c.Advance(time.Minute)
	assert.Equal(t, start.Add(time.Minute), c.Now())

	var zero bmdbtest.Clock
	assert.Equal(t, time.Unix(0, 0), zero.Now(), "the zero clock reads the epoch")
	zero.Advance(time.Second)
	assert.Equal(t, time.Unix(1, 0), zero.Now())
}

func TestStartPostgresGivesEachCallerItsOwnDatabaseAndStopCleansUp(t *testing.T) {
	srv := bmdbtest.StartPostgres(t)
	a := srv.NewDatabase(t)
	b, err := srv.CreateDatabase(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Contains(t, a, "postgres://postgres@127.0.0.1:")
	dir := srv.Dir
	require.DirExists(t, dir)

	srv.Stop()
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err), "Stop removes the server's directory")
	srv.Stop() // subsequent calls do nothing
}
