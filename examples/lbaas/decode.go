package lbaas

import (
	"encoding/json"
	"fmt"
)

// decodeInto decodes an API answer into out, checking what the reconciler relies on: a resource
// has a known kind, an identifier and a known state; a tag listing names known kinds.
func decodeInto(data []byte, out any) error {
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("lbaas: decoding the API's answer: %w", err)
	}
	switch v := out.(type) {
	case *Resource:
		return v.checkDecoded()
	case *[]TagRef:
		for _, ref := range *v {
			if !ref.Kind.valid() || ref.Identifier == "" {
				return fmt.Errorf("lbaas: tag listing entry %+v: unknown kind or no identifier", ref)
			}
		}
	}
	return nil
}

func (r Resource) checkDecoded() error {
	if !r.Kind.valid() {
		return fmt.Errorf("lbaas: resource %q has unknown kind %q", r.Identifier, r.Kind)
	}
	if r.Identifier == "" {
		return fmt.Errorf("lbaas: %s %q has no identifier", r.Kind, r.Name)
	}
	switch r.State {
	case StatePending, StateOK, StateError:
		return nil
	}
	return fmt.Errorf("lbaas: %s %q has unknown state %q", r.Kind, r.Identifier, r.State)
}
