package corepb_test

import (
	"testing"

	"github.com/steadfast-go/steadfast/examples/voltha/internal/prototest"
)

func TestTheCommittedCodeIsWhatGoGenerateProduces(t *testing.T) {
	prototest.WellKnownTypes(t)
	prototest.CheckGenerated(t, "common.proto", "voltha.proto")
}
