package watchetcd_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that nothing is left running: the Watcher's goroutines, the adapter's
// streams, and the etcd clients once the tests closed them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
