package connctx_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/connctx"
)

func TestLostErrorCountsProbesInTheRightNumber(t *testing.T) {
	noAnswer := errors.New("no answer")
	assert.Equal(t, "connctx: connection lost: 1 probe failed: no answer",
		(&connctx.LostError{Failures: 1, Err: noAnswer}).Error())
	assert.Equal(t, "connctx: connection lost: 3 probes failed in a row, last: no answer",
		(&connctx.LostError{Failures: 3, Err: noAnswer}).Error())
}
