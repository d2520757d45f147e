package bmdbtest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

func TestCrashCutsClientsOffAndRestartBringsTheDurableDataBack(t *testing.T) {
	srv := bmdbtest.StartPostgres(t, bmdbtest.Durable())
	dsn := srv.NewDatabase(t)
	psql := func(sql string) (string, error) {
		out, err := exec.Command(filepath.Join(srv.Bin, "psql"), "-X", "-A", "-t", "-d", dsn, "-c", sql).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := psql(`CREATE TABLE t (x int); INSERT INTO t VALUES (42)`)
	require.NoError(t, err, out)

	require.NoError(t, srv.Crash())
	_, err = psql(`SELECT 1`)
	assert.Error(t, err, "a crashed server refuses connections")
	assert.Error(t, srv.Crash(), "crashing a server that is down is an error")

	require.NoError(t, srv.Restart(context.Background()))
	got, err := psql(`SELECT x FROM t`)
	require.NoError(t, err, got)
	assert.Equal(t, "42", got, "the committed data survived the crash, on the same port")
	assert.Error(t, srv.Restart(context.Background()), "restarting a running server is an error")
}
