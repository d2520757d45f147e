package reconcile_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

func TestRequeueAfterReadsItsDelayAndForeverByName(t *testing.T) {
	assert.EqualError(t, reconcile.RequeueAfter(time.Minute), "reconcile: requeue after 1m0s")
	assert.EqualError(t, reconcile.RequeueAfter(backoff.Forever), "reconcile: requeue after forever")
}
