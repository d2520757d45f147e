package leader_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that nothing is left running: pools, client-go's connections, Leaders.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
