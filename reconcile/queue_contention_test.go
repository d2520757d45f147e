package reconcile_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestQueueHandsAKeyToOneWorkerAtATimeUnderContention runs 8 workers against 4 producers that
// keep adding the same 16 keys (plain, delayed and resync adds), on real goroutines so that the
// race detector sees the interleavings, and checks that no key is ever held by two workers at
// once. Drain then ends the workers, and goleak checks that none is left behind.
func TestQueueHandsAKeyToOneWorkerAtATimeUnderContention(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	q := newQueue(t)
	var (
		mu       sync.Mutex
		holding  = map[string]bool{}
		overlaps atomic.Int32
		synced   atomic.Int64
	)
	var workers sync.WaitGroup
	for range 8 {
		workers.Go(func() {
			for {
				k, err := q.Get(t.Context())
				if err != nil {
					return // drained
				}
				mu.Lock()
				if holding[k] {
					overlaps.Add(1)
				}
				holding[k] = true
				mu.Unlock()
				runtime.Gosched() // widen the window in which a second holder would show
				synced.Add(1)
				mu.Lock()
				holding[k] = false
				mu.Unlock()
				assert.NoError(t, q.Done(t.Context(), k, done))
			}
		})
	}
	var producers sync.WaitGroup
	for p := range 4 {
		producers.Go(func() {
			for i := range 2000 {
				k := fmt.Sprint("key-", i%16)
				switch (i + p) % 3 {
				case 0:
					assert.NoError(t, q.Add(k))
				case 1:
					assert.NoError(t, q.AddAfter(k, time.Microsecond))
				case 2:
					assert.NoError(t, q.Resync(k))
				}
			}
		})
	}
	producers.Wait()
	q.Drain()
	workers.Wait()
	assert.Zero(t, overlaps.Load(), "a key was held by two workers at once")
	require.Positive(t, synced.Load())
}
