package lbaas

import (
	"encoding/json"
	"testing"

	"github.com/steadfast-go/steadfast/reconcile/converge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatePhaseMapsTheEngineStatesAsTheOriginDoes(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		phase converge.Phase
	}{
		{"Updating: of type OK, but still applying", `{"id":"0","title":"Updating","type":1}`, converge.PhasePending},
		{"Updated", `{"id":"1","title":"Updated","type":1}`, converge.PhaseReady},
		{"DeploymentError", `{"id":"2","title":"DeploymentError","type":0}`, converge.PhaseFailed},
		{"Deployed", `{"id":"3","title":"Deployed","type":1}`, converge.PhaseReady},
		{"NewlyCreated", `{"id":"4","title":"NewlyCreated","type":2}`, converge.PhasePending},
		{"the type decides, not the id", `{"id":"2","title":"DeploymentError","type":1}`, converge.PhaseReady},
		{"any id of type error", `{"id":"7","type":0}`, converge.PhaseFailed},
		{"a type outside the three is waited for", `{"id":"7","type":5}`, converge.PhasePending},
		{"a state without a type is waited for", `{"id":"3","title":"Deployed"}`, converge.PhasePending},
		{"no state at all is waited for", `null`, converge.PhasePending},
		{"a bare enum id", `"3"`, converge.PhaseReady},
		{"a bare failed id", `"2"`, converge.PhaseFailed},
		{"a bare unknown id", `"9"`, converge.PhasePending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			require.NoError(t, json.Unmarshal([]byte(tt.json), &s))
			assert.Equal(t, tt.phase, s.Phase(), "%s is %+v", tt.json, s)
		})
	}
	assert.Equal(t, converge.PhasePending, State{}.Phase(), "the zero State")
}

func TestStateRefusesWhatIsNotAState(t *testing.T) {
	for _, bad := range []string{`3`, `{"id":3}`, `{"type":"1"}`, `{"type":1.5}`, `[]`} {
		var s State
		assert.Error(t, json.Unmarshal([]byte(bad), &s), bad)
	}
}
