package bmdb_test

import (
	"context"
	"database/sql"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

func TestAProcessKilledMidRunLosesNoWorkAndItsLeasesAreTakenOverWithinTheTTL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	dsn := postgresServer(t).NewDatabase(t)
	db := open(t, dsn)
	ctx := context.Background()
	ids := machines(600)
	require.NoError(t, db.AddMachines(ctx, bmdb.StageNew, ids...))
	raw, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer raw.Close()

	workers := []*worker{startWorker(t, dsn), startWorker(t, dsn), startWorker(t, dsn)}
	victim := workers[0]
	var atKill []string
	eventually(t, 30*time.Second, "the victim holds leases a quarter into the work", func() bool {
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		atKill = held(t, raw, victim.session())
		return st.Stages[bmdb.StageReady] >= len(ids)/4 && len(atKill) > 0
	})
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	<-victim.exited
	dead := victim.session()
	stillHeld := held(t, raw, dead)
	t.Logf("killed session %d holding %d leases", dead, len(stillHeld))
	require.NotEmpty(t, stillHeld, "the kill left leases behind")

	eventually(t, 60*time.Second, "every machine ready", func() bool {
		st, err := db.Stats(ctx)
		require.NoError(t, err)
		return st.Stages[bmdb.StageReady] == len(ids)
	})

	hist, err := db.History(ctx)
	require.NoError(t, err)
	f := map[string]int{}
	released := map[string]time.Time{} // a lease of the dead session: when it was collected
	reported := map[string]bool{}      // ... or its own report, sent just before the kill, landed
	for _, e := range hist {
		key := e.Process + "/" + e.Machine
		switch {
		case e.Event == bmdb.EventFinished:
			f[key]++
		case e.Event == bmdb.EventExpired && e.Session == dead:
			released[key] = time.UnixMilli(e.AtMillis)
		}
		if e.Session == dead && e.Event != bmdb.EventExpired {
			reported[key] = true
		}
	}
	for _, id := range ids {
		assert.Equal(t, 1, f["provision/"+id], "provision of %s finished exactly once", id)
		assert.Equal(t, 1, f["initialize/"+id], "initialize of %s finished exactly once", id)
	}
	var slowest time.Duration
	for _, key := range stillHeld {
		at, ok := released[key]
		if !ok {
			assert.True(t, reported[key], "the history records the takeover of %s from the dead session", key)
			continue
		}
		slowest = max(slowest, at.Sub(killed))
	}
	t.Logf("the dead session's leases were taken over at most %v after the kill (TTL %v)", slowest, crashTTL)
	// Its last heartbeat was at most a fifth of the TTL before the kill; the slack is for a
	// claim to come by on this loaded two-core machine.
	assert.LessOrEqual(t, slowest, crashTTL+time.Second, "taken over within the TTL (plus one claim)")

	eventually(t, 3*crashTTL, "the dead session is collected", func() bool {
		var n int
		require.NoError(t, raw.QueryRow(`SELECT COUNT(*) FROM sessions WHERE session_id = $1`, dead).Scan(&n))
		return n == 0
	})
	for _, w := range workers[1:] {
		require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
		<-w.exited
		assert.NoError(t, w.err, "a survivor stops cleanly on SIGTERM")
		w.mu.Lock()
		if strings.Contains(w.log.String(), "session lost") {
			t.Logf("a survivor lost its session and started a new one (a heartbeat was too slow):\n%s", w.log.String())
		}
		w.mu.Unlock()
	}
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	assert.Zero(t, st.Sessions, "the survivors closed their sessions")
	assert.Zero(t, st.Leases)
}
