package main

import (
	"testing"

	"go.uber.org/goleak"
)

// The demo is the check of the whole: a failed step fails it, and it leaves nothing running.
func TestTheDemoConvergesAfterEveryStep(t *testing.T) {
	defer goleak.VerifyNone(t)
	if testing.Short() {
		t.Skip("runs the demo, a few seconds")
	}
	if err := demo(t.Context()); err != nil {
		t.Fatal(err)
	}
}
