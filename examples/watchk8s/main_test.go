package watchk8s

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that nothing is left running: the Watcher's goroutines, the streams, and
// client-go's connections once the loopback server has closed them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
