package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/reconcile"
)

func TestRunReportsASyncThatEndsItsGoroutineToDoneSoItsKeyIsNotLeftInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(t)
		require.NoError(t, q.Add("a"))
		var (
			mu      sync.Mutex // Done and the syncs run on Run's goroutines
			reports []reconcile.Outcome
			syncs   int
		)
		src := reconcile.SourceFuncs[string]{GetFunc: q.Get, DoneFunc: func(ctx context.Context, k string, o reconcile.Outcome) error {
			mu.Lock()
			reports = append(reports, o)
			mu.Unlock()
			return q.Done(ctx, k, o)
		}}
		errc := goRun[string](t.Context(), src, reconcile.SyncFunc[string](func(context.Context, string) error {
			mu.Lock()
			syncs++
			first := syncs == 1
			mu.Unlock()
			if first {
				runtime.Goexit() // as t.FailNow in a sync does
			}
			return nil
		}), reconcile.WithParallelism(2))
		synctest.Wait()
		mu.Lock()
		require.Len(t, reports, 1)
		assert.Equal(t, reconcile.OutcomeRetry, reports[0].Kind)
		assert.ErrorIs(t, reports[0].Err, reconcile.ErrSyncPanicked)
		mu.Unlock()
		time.Sleep(time.Second) // past the retry's backoff
		synctest.Wait()
		mu.Lock()
		assert.Equal(t, 2, syncs, "the key was released, not left in flight")
		mu.Unlock()
		q.ShutDown()
		require.NoError(t, <-errc)
	})
}

// crashEnv names the scenario a test binary started by crashed runs, and crashed runs it.
const crashEnv = "RECONCILE_TEST_CRASH"

// crashed runs the test named test in a new process of the test binary, with crashEnv set to
// scenario, and returns its output; it fails t unless the process crashed.
func crashed(t *testing.T, test, scenario string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the program crashed:\n%s", out)
	return string(out)
}

func TestRunCrashesOnAPanickingSyncAfterReportingItToDone(t *testing.T) {
	if os.Getenv(crashEnv) == "sync" {
		q, err := reconcile.NewQueue[string]()
		require.NoError(t, err)
		require.NoError(t, q.Add("k"))
		src := reconcile.SourceFuncs[string]{GetFunc: q.Get, DoneFunc: func(ctx context.Context, k string, o reconcile.Outcome) error {
			fmt.Printf("done %s %v %v\n", k, o.Kind, errors.Is(o.Err, reconcile.ErrSyncPanicked))
			return q.Done(ctx, k, o)
		}}
		_ = reconcile.Run[string](context.Background(), src, reconcile.SyncFunc[string](func(context.Context, string) error {
			panic("sync boom")
		}))
		return
	}
	out := crashed(t, "TestRunCrashesOnAPanickingSyncAfterReportingItToDone", "sync")
	assert.Contains(t, out, "done k retry true", "Done was reported before the crash")
	assert.Contains(t, out, "panic: sync boom", "with the sync's own panic and stack")
}
