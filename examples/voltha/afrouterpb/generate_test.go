package afrouterpb_test

import (
	"testing"

	"github.com/steadfast-go/steadfast/examples/voltha/internal/prototest"
)

func TestTheCommittedCodeIsWhatGoGenerateProduces(t *testing.T) {
	prototest.CheckGenerated(t, "afrouter.proto")
}
