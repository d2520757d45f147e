package lbaas

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/steadfast-go/steadfast/reconcile/converge"
)

// StateType is the Engine's class of a state: the "type" of its state object.
type StateType int

// The state types the Engine defines for its resources.
const (
	StateTypeError   StateType = 0
	StateTypeOK      StateType = 1
	StateTypePending StateType = 2
)

// State is a resource's provisioning state as the Engine reports it: an object
// {"id": "3", "title": "Deployed", "type": 1}, where id is a value of the LBaaS state enum and
// type its class. The zero State is "no state reported", which [State.Phase] takes as pending.
type State struct {
	ID    string
	Title string
	Type  StateType
	typed bool // the Engine said which type: a missing type is not type 0 (error)
}

// The LBaaS state enum. Updating is of type OK although the Engine is still applying a change.
var (
	StateUpdating        = State{ID: "0", Title: "Updating", Type: StateTypeOK, typed: true}
	StateUpdated         = State{ID: "1", Title: "Updated", Type: StateTypeOK, typed: true}
	StateDeploymentError = State{ID: "2", Title: "DeploymentError", Type: StateTypeError, typed: true}
	StateDeployed        = State{ID: "3", Title: "Deployed", Type: StateTypeOK, typed: true}
	StateNewlyCreated    = State{ID: "4", Title: "NewlyCreated", Type: StateTypePending, typed: true}
)

var stateEnum = []State{StateUpdating, StateUpdated, StateDeploymentError, StateDeployed, StateNewlyCreated}

// Phase maps the state onto the reconciler's phases as the origin does: Updating (by its id,
// since its type says OK) is pending; otherwise type error is failed, type OK is ready, type
// pending is pending. What the origin leaves undefined is pending here: a state with no type
// (the origin reads it as type 0, failed) and a type outside the three (the origin treats it
// as neither failed nor pending, so as ready). A state the adapter cannot read is waited for,
// never taken as ready and never destroyed for.
func (s State) Phase() converge.Phase {
	switch {
	case s.ID == StateUpdating.ID, !s.typed:
		return converge.PhasePending
	case s.Type == StateTypeError:
		return converge.PhaseFailed
	case s.Type == StateTypeOK:
		return converge.PhaseReady
	}
	return converge.PhasePending
}

// String returns the title and id, as "Deployed(3)".
func (s State) String() string {
	if s.ID == "" && s.Title == "" && !s.typed {
		return "no state"
	}
	return fmt.Sprintf("%s(%s)", s.Title, s.ID)
}

// stateJSON is the Engine's state object. The public mock server spells the title "text".
type stateJSON struct {
	ID    string     `json:"id"`
	Title string     `json:"title,omitempty"`
	Text  string     `json:"text,omitempty"`
	Type  *StateType `json:"type,omitempty"`
}

// MarshalJSON writes the Engine's state object.
func (s State) MarshalJSON() ([]byte, error) {
	out := stateJSON{ID: s.ID, Title: s.Title}
	if s.typed {
		out.Type = &s.Type
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the Engine's state object, or a bare string, which is taken as an id of
// the LBaaS enum (the form a request carries). null leaves the zero State.
func (s *State) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*s = State{}
		return nil
	case len(data) > 0 && data[0] == '"':
		var id string
		if err := json.Unmarshal(data, &id); err != nil {
			return fmt.Errorf("state: %w", err)
		}
		*s = stateByID(id)
		return nil
	}
	var in stateJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	*s = State{ID: in.ID, Title: in.Title}
	if s.Title == "" {
		s.Title = in.Text
	}
	if in.Type != nil {
		s.Type, s.typed = *in.Type, true
	}
	return nil
}

// stateByID returns the enum's state of that id, or an untyped state carrying the id.
func stateByID(id string) State {
	for _, st := range stateEnum {
		if st.ID == id {
			return st
		}
	}
	return State{ID: id}
}
