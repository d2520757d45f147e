package bmdb_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

func TestAProcessKilledMidRunLosesNoWorkAndItsLeasesAreTakenOverWithinTheTTL(t *testing.T) {
	r := startRun(t, postgresServer(t).NewDatabase(t), 600)
	victim := r.workers[0]
	var atKill []string
	r.until(30*time.Second, "the victim holds leases a quarter into the work", func() bool {
		atKill = held(t, r.raw, victim.session())
		return r.ready() >= len(r.ids)/4 && len(atKill) > 0
	})
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	<-victim.exited
	dead := victim.session()
	stillHeld := held(t, r.raw, dead)
	t.Logf("killed session %d holding %d leases", dead, len(stillHeld))
	require.NotEmpty(t, stillHeld, "the kill left leases behind")
	r.workers = r.workers[1:] // the survivors must finish the work

	r.until(60*time.Second, "the dead session's leases taken over", func() bool { return len(held(t, r.raw, dead)) == 0 })
	var slowest time.Duration
	for _, key := range stillHeld {
		process, machine, _ := strings.Cut(key, "/")
		var event string
		var at int64
		err := r.raw.QueryRow(`SELECT event, at FROM history WHERE machine_id = $1 AND process = $2 AND session_id = $3
			ORDER BY id DESC LIMIT 1`, machine, process, dead).Scan(&event, &at)
		require.NoError(t, err, "the history records what became of %s, held by the dead session", key)
		if event != bmdb.EventExpired {
			continue // its own report, sent just before the kill, landed after it
		}
		slowest = max(slowest, time.UnixMilli(at).Sub(killed))
	}
	t.Logf("the dead session's leases were taken over at most %v after the kill (TTL %v)", slowest, crashTTL)
	// Its last heartbeat was at most a fifth of the TTL before the kill; the slack is for a
	// claim to come by on this loaded two-core machine.
	assert.LessOrEqual(t, slowest, crashTTL+time.Second, "taken over within the TTL (plus one claim)")
	r.until(3*crashTTL, "the dead session is collected", func() bool {
		return r.count(`SELECT COUNT(*) FROM sessions WHERE session_id = $1`, dead) == 0
	})
	r.finish()
}
