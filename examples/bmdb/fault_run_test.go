package bmdb_test

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

// faultRun is three worker processes of 2 loops x 8 workers over a fresh database, calling
// one provider served by the test, as an operator would run them; the test injects faults
// from outside.
type faultRun struct {
	t       *testing.T
	raw     *sql.DB // the test's own connections, for looking
	prov    *bmdb.Provider
	ids     []string
	workers []*worker
}

// startRun seeds n machines in a new database on dsn and starts the workers.
func startRun(t *testing.T, dsn string, n int) *faultRun {
	t.Helper()
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	db := open(t, dsn)
	r := &faultRun{t: t, prov: &bmdb.Provider{Latency: 60 * time.Millisecond, FailRate: 0.1, Seed: 1}, ids: machines(n)}
	require.NoError(t, db.AddMachines(context.Background(), bmdb.StageNew, r.ids...))
	require.NoError(t, db.Close())
	var err error
	r.raw, err = sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.raw.Close() })
	url := serveProvider(t, r.prov)
	for range 3 {
		r.workers = append(r.workers, startWorker(t, dsn, url))
	}
	return r
}

// count runs a COUNT query; -1 when the database cannot answer (it is down).
func (r *faultRun) count(query string, args ...any) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var n int
	if err := r.raw.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return -1
	}
	return n
}

// finished is how many reports of success the history holds.
func (r *faultRun) finished() int {
	return r.count(`SELECT COUNT(*) FROM history WHERE event = 'finished'`)
}

// ready is how many machines are ready.
func (r *faultRun) ready() int {
	return r.count(`SELECT COUNT(*) FROM machines WHERE stage = $1`, bmdb.StageReady)
}

// alive fails the test if a worker process has exited: no fault may stop one.
func (r *faultRun) alive() {
	r.t.Helper()
	for _, w := range r.workers {
		if !w.running() {
			r.t.Fatalf("worker %d exited (%v) during the run:\n%s", w.cmd.Process.Pid, w.err, w.logText())
		}
	}
}

// until polls cond, failing the test if a worker exits or timeout passes.
func (r *faultRun) until(timeout time.Duration, msg string, cond func() bool) {
	r.t.Helper()
	eventually(r.t, timeout, msg, func() bool { r.alive(); return cond() })
}

// serving reports whether every worker's last session is alive in the database.
func (r *faultRun) serving() bool {
	for _, w := range r.workers {
		if r.count(`SELECT COUNT(*) FROM sessions WHERE session_id = $1 AND expires > $2`,
			w.session(), time.Now().UnixMilli()) != 1 {
			return false
		}
	}
	return true
}

// recovery waits, from the moment a fault ended, until the work makes progress again (one
// success per worker process) and every worker serves in a live session, and reports both
// times.
func (r *faultRun) recovery(since time.Time, timeout time.Duration) (progress, serving time.Duration) {
	r.t.Helper()
	base := -1
	r.until(timeout, "the work recovers", func() bool {
		n := r.finished()
		if base < 0 {
			base = n
		}
		if progress == 0 && n >= 0 && (n >= base+len(r.workers) || n == 2*len(r.ids)) {
			progress = time.Since(since)
		}
		if serving == 0 && r.serving() {
			serving = time.Since(since)
		}
		return progress > 0 && serving > 0
	})
	return progress, serving
}

// finish waits until every machine is ready, stops the workers with SIGTERM and checks the
// outcome: every machine provisioned and initialized exactly once, no process exited before
// it was told, every one stops cleanly, nothing left leased, no session left, and no side
// effect repeated at the provider.
func (r *faultRun) finish() {
	t := r.t
	t.Helper()
	r.until(90*time.Second, "every machine ready", func() bool { return r.ready() == len(r.ids) })
	r.alive()
	for _, w := range r.workers {
		require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, w := range r.workers {
		<-w.exited
		assert.NoError(t, w.err, "worker %d stops cleanly on SIGTERM", w.cmd.Process.Pid)
	}
	f := finishCounts(t, r.raw)
	for _, id := range r.ids {
		assert.Equal(t, 1, f["provision/"+id], "provision of %s finished exactly once", id)
		assert.Equal(t, 1, f["initialize/"+id], "initialize of %s finished exactly once", id)
	}
	assert.Zero(t, r.count(`SELECT COUNT(*) FROM work WHERE session_id IS NOT NULL`), "nothing left leased")
	assert.Zero(t, r.count(`SELECT COUNT(*) FROM sessions`), "every session closed or collected")
	repeated := 0
	for _, op := range []string{bmdb.OpProvision, bmdb.OpInstall} {
		effects := r.prov.Effects(op)
		for _, id := range r.ids {
			assert.Equal(t, 1, effects[id], "the provider acted once for %s of %s", op, id)
			repeated += max(effects[id]-1, 0)
		}
	}
	t.Logf("repeated side effects: %d; requests answered again from their first answer: %d", repeated, r.prov.Replays())
}

// finishCounts counts the finished events per "process/machine".
func finishCounts(t *testing.T, raw *sql.DB) map[string]int {
	t.Helper()
	rows, err := raw.Query(`SELECT process || '/' || machine_id, COUNT(*) FROM history WHERE event = 'finished'
		GROUP BY process, machine_id`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		require.NoError(t, rows.Scan(&key, &n))
		out[key] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// held lists the leases session holds, as "process/machine".
func held(t *testing.T, raw *sql.DB, session int64) []string {
	t.Helper()
	rows, err := raw.Query(`SELECT process || '/' || machine_id FROM work WHERE session_id = $1`, session)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// stopped reports whether process pid is stopped (SIGSTOP), from /proc.
func stopped(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces, so the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'T'
}
