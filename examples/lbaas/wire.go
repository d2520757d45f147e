package lbaas

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The Engine's JSON, re-declared from the public definitions of its LBaaS v1 API. An answer
// nests each reference as an object, {"identifier": ..., "name": ...}; a request names the
// referenced resource by its identifier alone.

// ref is a reference to another resource in an answer. A bare string is taken as the
// identifier; null or a missing field as no reference.
type ref struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name,omitempty"`
}

func (r *ref) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		r.Name = ""
		return json.Unmarshal(data, &r.Identifier)
	}
	type plain ref
	var p plain
	if !bytes.Equal(data, []byte("null")) {
		if err := json.Unmarshal(data, &p); err != nil {
			return err
		}
	}
	*r = ref(p)
	return nil
}

// answer is a resource of any kind as the Engine answers it; which fields a kind has is in
// [Resource]. Fields the adapter does not use (customer_identifier, automation_rules, ...)
// are ignored.
type answer struct {
	Identifier     string `json:"identifier"`
	Name           string `json:"name"`
	State          State  `json:"state"`
	Mode           string `json:"mode,omitempty"`
	HealthCheck    string `json:"health_check,omitempty"`
	LoadBalancer   *ref   `json:"load_balancer,omitempty"`
	DefaultBackend *ref   `json:"default_backend,omitempty"`
	Frontend       *ref   `json:"frontend,omitempty"`
	Backend        *ref   `json:"backend,omitempty"`
	Address        string `json:"address,omitempty"`    // bind
	IP             string `json:"ip,omitempty"`         // server
	IPAddress      string `json:"ip_address,omitempty"` // loadbalancer
	Port           int    `json:"port,omitempty"`
	Check          string `json:"check,omitempty"`
}

func (r *ref) id() string {
	if r == nil {
		return ""
	}
	return r.Identifier
}

// decodeResource decodes the Engine's answer for one resource of kind k. It keeps the fields
// of k only, and refuses an answer without an identifier.
func decodeResource(k Kind, data []byte) (Resource, error) {
	if !k.valid() {
		return Resource{}, fmt.Errorf("lbaas: decoding a resource of unknown kind %q", k)
	}
	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		return Resource{}, fmt.Errorf("lbaas: decoding a %s: %w", k, err)
	}
	if a.Identifier == "" {
		return Resource{}, fmt.Errorf("lbaas: decoding a %s: no identifier", k)
	}
	r := Resource{Kind: k, Identifier: a.Identifier, Name: a.Name, State: a.State}
	switch k {
	case KindLoadBalancer:
		r.Address = a.IPAddress
	case KindBackend:
		r.LoadBalancer, r.Mode, r.HealthCheck = a.LoadBalancer.id(), a.Mode, a.HealthCheck
	case KindFrontend:
		r.LoadBalancer, r.DefaultBackend, r.Mode = a.LoadBalancer.id(), a.DefaultBackend.id(), a.Mode
	case KindBind:
		r.Frontend, r.Address, r.Port = a.Frontend.id(), a.Address, a.Port
	case KindServer:
		r.Backend, r.Address, r.Port, r.Check = a.Backend.id(), a.IP, a.Port, a.Check
	}
	return r, nil
}

// The bodies of create requests, field for field as the Engine expects them: references as
// identifiers, no state (the Engine sets it), "mode" and "ssl" always present.
type (
	backendBody struct {
		Name         string `json:"name"`
		HealthCheck  string `json:"health_check,omitempty"`
		Mode         string `json:"mode"`
		LoadBalancer string `json:"load_balancer"`
	}
	frontendBody struct {
		Name           string `json:"name"`
		Mode           string `json:"mode"`
		LoadBalancer   string `json:"load_balancer"`
		DefaultBackend string `json:"default_backend"`
	}
	bindBody struct {
		Name     string `json:"name"`
		Address  string `json:"address"`
		Port     int    `json:"port"`
		SSL      bool   `json:"ssl"`
		Frontend string `json:"frontend"`
	}
	serverBody struct {
		Name    string `json:"name"`
		IP      string `json:"ip"`
		Port    int    `json:"port"`
		Check   string `json:"check,omitempty"`
		Backend string `json:"backend"`
	}
)

// encodeCreate returns the body of the request that creates r.
func encodeCreate(r Resource) ([]byte, error) {
	var body any
	switch r.Kind {
	case KindBackend:
		body = backendBody{Name: r.Name, HealthCheck: r.HealthCheck, Mode: r.Mode, LoadBalancer: r.LoadBalancer}
	case KindFrontend:
		body = frontendBody{Name: r.Name, Mode: r.Mode, LoadBalancer: r.LoadBalancer, DefaultBackend: r.DefaultBackend}
	case KindBind:
		body = bindBody{Name: r.Name, Address: r.Address, Port: r.Port, Frontend: r.Frontend}
	case KindServer:
		body = serverBody{Name: r.Name, IP: r.Address, Port: r.Port, Check: r.Check, Backend: r.Backend}
	default:
		return nil, fmt.Errorf("lbaas: the adapter does not create a %q", r.Kind)
	}
	return json.Marshal(body)
}
