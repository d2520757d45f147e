package lbaas

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if any goroutine outlives them: the reconciler's engine calls, the
// HTTP clients' connections and the embedded Engine's handlers all end with their tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
