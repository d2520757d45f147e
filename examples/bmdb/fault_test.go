package bmdb_test

import (
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb/bmdbtest"
)

// The fault tests run three worker processes of 2 loops x 8 workers on one PostgreSQL,
// inject one fault from outside a quarter into the work, and end as finish checks: every
// machine processed exactly once, no process exited, nothing left leased, no side effect
// repeated. Each logs the time to recover.

// faulty is a durable server of its own for the tests that crash it, started by the first.
var faulty struct {
	once sync.Once
	srv  *bmdbtest.Postgres
	err  error
}

func faultyServer(t *testing.T) *bmdbtest.Postgres {
	t.Helper()
	postgresServer(t) // skips the test where PostgreSQL is not installed
	faulty.once.Do(func() { faulty.srv, faulty.err = bmdbtest.Start(context.Background(), bmdbtest.Durable()) })
	require.NoError(t, faulty.err)
	return faulty.srv
}

func TestADatabaseRestartedImmediatelyMidRunStopsNoProcess(t *testing.T) {
	srv := faultyServer(t)
	r := startRun(t, srv.NewDatabase(t), 400)
	r.until(30*time.Second, "a quarter of the work done", func() bool { return r.ready() >= len(r.ids)/4 })
	down := time.Now()
	require.NoError(t, srv.Crash())
	require.NoError(t, srv.Restart(context.Background()))
	up := time.Now()
	progress, serving := r.recovery(up, 30*time.Second)
	t.Logf("restart -m immediate: the database was down %v; the work went on %v after it was back, every process "+
		"served again after %v", up.Sub(down).Round(time.Millisecond), progress.Round(time.Millisecond), serving.Round(time.Millisecond))
	r.finish()
}

func TestADatabaseOutageOfSixSecondsStopsNoProcess(t *testing.T) {
	srv := faultyServer(t)
	r := startRun(t, srv.NewDatabase(t), 400)
	r.until(30*time.Second, "a quarter of the work done", func() bool { return r.ready() >= len(r.ids)/4 })
	down := time.Now()
	require.NoError(t, srv.Crash())
	// The outage lasts six seconds, and at least until every process has lost its session
	// and failed to open a new one: each rides it out retrying, and says so.
	r.until(30*time.Second, "every process retries opening a session", func() bool {
		for _, w := range r.workers {
			if len(w.since(down, "openfail")) == 0 {
				return false
			}
		}
		return time.Since(down) >= 6*time.Second
	})
	require.NoError(t, srv.Restart(context.Background()))
	up := time.Now()
	progress, serving := r.recovery(up, 30*time.Second)
	t.Logf("outage: the database was down %v; the work went on %v after it was back, every process served again after %v",
		up.Sub(down).Round(time.Millisecond), progress.Round(time.Millisecond), serving.Round(time.Millisecond))
	for _, w := range r.workers {
		assert.Contains(t, w.logText(), "cannot open a session, retrying", "the operator sees the retries in the log")
	}
	r.finish()
}

func TestAProcessFrozenPastTheTTLAndThawedStartsANewSessionAndStaysUp(t *testing.T) {
	r := startRun(t, postgresServer(t).NewDatabase(t), 400)
	victim := r.workers[0]
	var atFreeze []string
	r.until(30*time.Second, "the victim holds leases a quarter into the work", func() bool {
		atFreeze = held(t, r.raw, victim.session())
		return r.ready() >= len(r.ids)/4 && len(atFreeze) > 0
	})
	old := victim.session()
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGSTOP))
	frozen := time.Now()
	r.until(30*time.Second, "the frozen process's leases are taken over", func() bool {
		return len(held(t, r.raw, old)) == 0
	})
	takenOver := time.Since(frozen)
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGCONT))
	thawed := time.Now()
	r.until(30*time.Second, "the thawed process starts a new session", func() bool {
		return victim.session() != old && r.serving()
	})
	t.Logf("SIGSTOP past the TTL: %d leases taken over %v after the freeze (TTL %v); thawed, the process served in a "+
		"new session after %v", len(atFreeze), takenOver.Round(time.Millisecond), crashTTL, time.Since(thawed).Round(time.Millisecond))
	assert.GreaterOrEqual(t, takenOver, crashTTL/2, "the leases of a frozen process are not taken over before they expire")
	r.finish()
}

func TestAProcessFrozenInsideATransactionStallsNoOne(t *testing.T) {
	r := startRun(t, postgresServer(t).NewDatabase(t), 400)
	victim := r.workers[0]
	r.until(30*time.Second, "a quarter of the work done", func() bool { return r.ready() >= len(r.ids)/4 })
	old := victim.session()
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGUSR1)) // its next report in a transaction freezes it
	var key string                                                 // process/machine
	r.until(30*time.Second, "the victim freezes inside a report's transaction", func() bool {
		if e := victim.since(time.Time{}, "frozen"); len(e) > 0 && stopped(victim.cmd.Process.Pid) {
			key = e[0].arg
			return true
		}
		return false
	})
	process, machine, _ := strings.Cut(key, "/")
	frozen, before := time.Now(), r.finished()
	stall := r.watchStall(old)
	r.until(30*time.Second, "the machine locked by the frozen transaction is taken over", func() bool {
		stall.look()
		return r.count(`SELECT COUNT(*) FROM work WHERE machine_id = $1 AND process = $2
			AND (session_id IS NULL OR session_id <> $3)`, machine, process, old) == 1
	})
	takenOver := time.Since(frozen)
	require.Greater(t, stall.n, before, "the others went on working while the transaction stayed open")
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGCONT))
	thawed := time.Now()
	r.until(30*time.Second, "the thawed process starts a new session", func() bool {
		return victim.session() != old && r.serving()
	})
	t.Logf("frozen in a transaction holding the rows of %s: the others committed %d reports meanwhile, never waiting "+
		"more than %v between two while they had work; the machine was taken over %v after the freeze; thawed, the "+
		"process served in a new session after %v", key, stall.n-before, stall.gap.Round(time.Millisecond),
		takenOver.Round(time.Millisecond), time.Since(thawed).Round(time.Millisecond))
	assert.Less(t, stall.gap, crashTTL, "no one waited on the frozen transaction")
	r.finish()
}

// stallWatch measures the longest time without a success while there was work that a frozen
// session did not hold.
type stallWatch struct {
	r      *faultRun
	frozen int64 // the frozen session
	last   time.Time
	n      int           // successes at last
	gap    time.Duration // the longest
}

func (r *faultRun) watchStall(frozen int64) *stallWatch {
	return &stallWatch{r: r, frozen: frozen, last: time.Now(), n: r.finished()}
}

// look polls once.
func (s *stallWatch) look() {
	n := s.r.finished()
	if n > s.n {
		s.last, s.n = time.Now(), n
	}
	blocked := 0 // successes the frozen session's leases keep out of reach
	for _, key := range held(s.r.t, s.r.raw, s.frozen) {
		blocked += map[bool]int{true: 2, false: 1}[strings.HasPrefix(key, "provision/")]
	}
	if s.n+blocked >= 2*len(s.r.ids) {
		s.last = time.Now() // nothing else to do: waiting is no stall
	}
	s.gap = max(s.gap, time.Since(s.last))
}
