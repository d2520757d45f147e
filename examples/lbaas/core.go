package lbaas

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The Engine's core API, which knows every resource of an account whatever its type: the
// resources carrying a tag (GET /api/core/v1/resource.json?tag_name=...), one resource with its
// type and tags (GET /api/core/v1/resource.json/{id}), and tagging one
// (POST /api/core/v1/resource.json/{id}/tags/{tag}).
const corePath = "/api/core/v1/resource.json"

// resourceTypes maps the core API's resource_type identifiers of the LBaaS kinds the adapter
// manages, as the origin knows them, to their kinds. The load balancer is not here: the
// adapter never tags one, so one tagged for a service is skipped like any foreign type.
var resourceTypes = map[string]Kind{
	"33164a3066a04a52be43c607f0c5dd8c": KindBackend,
	"da9d14b9d95840c08213de67f9cee6e2": KindFrontend,
	"bd24def982aa478fb3352cb5f49aab47": KindBind,
	"01f321a4875446409d7d8469503a905f": KindServer,
}

// typeOf returns the resource_type identifier of kind k ("" for the load balancer).
func typeOf(k Kind) string {
	for id, kind := range resourceTypes {
		if kind == k {
			return id
		}
	}
	return ""
}

// Ref is one entry of a listing: a resource's identifier and name.
type Ref struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
}

// CoreResource is a resource as the core API shows it: its type and its tags.
type CoreResource struct {
	Identifier string
	Name       string
	TypeID     string // resource_type.identifier
	TypeName   string // resource_type.name, for humans
	Tags       []string
}

// Kind returns the LBaaS kind of the resource, if it is one the adapter manages.
func (c CoreResource) Kind() (Kind, bool) {
	k, ok := resourceTypes[c.TypeID]
	return k, ok
}

// claimed reports whether some service's tag is on the resource: ours, another service's, or
// the origin's. A resource without one is what a create whose answer was lost leaves behind.
func (c CoreResource) claimed() bool {
	for _, t := range c.Tags {
		if strings.HasPrefix(t, tagPrefix) || strings.HasPrefix(t, originTagPrefix) {
			return true
		}
	}
	return false
}

// coreJSON is the core API's answer for one resource; tags come as objects.
type coreJSON struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	Type       struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	} `json:"resource_type"`
	Tags []struct {
		Name       string `json:"name"`
		Identifier string `json:"identifier"`
	} `json:"tags"`
}

// decodeCoreResource decodes the core API's answer for one resource.
func decodeCoreResource(data []byte) (CoreResource, error) {
	var in coreJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return CoreResource{}, fmt.Errorf("lbaas: decoding a core resource: %w", err)
	}
	if in.Identifier == "" {
		return CoreResource{}, fmt.Errorf("lbaas: decoding a core resource: no identifier")
	}
	out := CoreResource{Identifier: in.Identifier, Name: in.Name, TypeID: in.Type.Identifier, TypeName: in.Type.Name}
	for _, t := range in.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	return out, nil
}
