package vpp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// ParseConfig reads a config in its JSON form (see [Config.UnmarshalJSON]) and validates it.
// It rejects unknown fields and anything after the config, and returns an error matching
// [ErrInvalidConfig] for every problem, of form or of content.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := c.UnmarshalJSON(data); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// MarshalJSON writes the config in the form [Config.UnmarshalJSON] reads. It fails for an enum
// value without a name (a protocol other than TCP and UDP, an unknown encap).
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(toJSON(c)) }

// UnmarshalJSON reads a config: {"conf": {...}, "backends": [...], "frontends": [...]}, with
// field names as the LB plugin's messages spell them where there is one (ip4_src_address,
// sticky_buckets_per_core, flow_timeout, encap, dscp, srv_type, target_port, node_port,
// new_flows_table_length), addresses as text, durations as Go durations ("1.5s"), enums by
// name ("tcp", "http", "gre4", "nodeport"), a backend's check as an object (absent: static),
// and each pool's backends as an ordered list of {"backend", "weight"} (weight absent: 100,
// as in vpp-maglev). Unknown fields and anything after the config are errors. It checks form
// only; [Config.Validate] checks content. Errors match [ErrInvalidConfig].
func (c *Config) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w configJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the config", ErrInvalidConfig)
	}
	*c = w.config()
	return nil
}

// The JSON form. Field order here is the order MarshalJSON writes.
type (
	configJSON struct {
		Conf      confJSON       `json:"conf"`
		Backends  []backendJSON  `json:"backends"`
		Frontends []frontendJSON `json:"frontends"`
	}
	confJSON struct {
		IP4Src               netip.Addr `json:"ip4_src_address,omitzero"`
		IP6Src               netip.Addr `json:"ip6_src_address,omitzero"`
		StickyBucketsPerCore uint32     `json:"sticky_buckets_per_core,omitempty"`
		FlowTimeout          duration   `json:"flow_timeout,omitzero"`
	}
	backendJSON struct {
		Name     string     `json:"name"`
		Address  netip.Addr `json:"address"`
		Disabled bool       `json:"disabled,omitempty"`
		Check    *checkJSON `json:"check,omitempty"`
	}
	checkJSON struct {
		Type     CheckType `json:"type"`
		Port     uint16    `json:"port"`
		Path     string    `json:"path,omitempty"`
		Interval duration  `json:"interval"`
		Timeout  duration  `json:"timeout"`
		Rise     int       `json:"rise"`
		Fall     int       `json:"fall"`
	}
	frontendJSON struct {
		Name                string     `json:"name"`
		VIP                 netip.Addr `json:"vip"`
		Protocol            Protocol   `json:"protocol"`
		Port                uint16     `json:"port"`
		Encap               Encap      `json:"encap"`
		DSCP                uint8      `json:"dscp,omitempty"`
		SrvType             SrvType    `json:"srv_type,omitzero"`
		TargetPort          uint16     `json:"target_port,omitempty"`
		NodePort            uint16     `json:"node_port,omitempty"`
		NewFlowsTableLength uint32     `json:"new_flows_table_length,omitempty"`
		Pools               []poolJSON `json:"pools"`
	}
	poolJSON struct {
		Name     string       `json:"name"`
		Backends []memberJSON `json:"backends"`
	}
	memberJSON struct {
		Backend string `json:"backend"`
		Weight  *uint8 `json:"weight,omitempty"`
	}
)

// duration is a time.Duration written as its String form.
type duration time.Duration

func (d duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = duration(v)
	return err
}

// defaultMemberWeight is a pool member's weight when the JSON form gives none.
const defaultMemberWeight = 100

func (w configJSON) config() Config {
	c := Config{Conf: Conf{IP4Src: w.Conf.IP4Src, IP6Src: w.Conf.IP6Src,
		StickyBucketsPerCore: w.Conf.StickyBucketsPerCore, FlowTimeout: time.Duration(w.Conf.FlowTimeout)}}
	for _, b := range w.Backends {
		be := Backend{Name: b.Name, Address: b.Address, Disabled: b.Disabled}
		if hc := b.Check; hc != nil {
			be.Check = HealthCheck{Type: hc.Type, Port: hc.Port, Path: hc.Path, Interval: time.Duration(hc.Interval),
				Timeout: time.Duration(hc.Timeout), Rise: hc.Rise, Fall: hc.Fall}
		}
		c.Backends = append(c.Backends, be)
	}
	for _, f := range w.Frontends {
		fe := Frontend{Name: f.Name, VIP: f.VIP, Protocol: f.Protocol, Port: f.Port, Encap: f.Encap, DSCP: f.DSCP,
			SrvType: f.SrvType, TargetPort: f.TargetPort, NodePort: f.NodePort, NewFlowsTableLength: f.NewFlowsTableLength}
		for _, p := range f.Pools {
			pool := Pool{Name: p.Name}
			for _, m := range p.Backends {
				weight := uint8(defaultMemberWeight)
				if m.Weight != nil {
					weight = *m.Weight
				}
				pool.Members = append(pool.Members, Member{Backend: m.Backend, Weight: weight})
			}
			fe.Pools = append(fe.Pools, pool)
		}
		c.Frontends = append(c.Frontends, fe)
	}
	return c
}

func toJSON(c Config) configJSON {
	w := configJSON{Conf: confJSON{IP4Src: c.Conf.IP4Src, IP6Src: c.Conf.IP6Src,
		StickyBucketsPerCore: c.Conf.StickyBucketsPerCore, FlowTimeout: duration(c.Conf.FlowTimeout)},
		Backends: []backendJSON{}, Frontends: []frontendJSON{}}
	for _, b := range c.Backends {
		be := backendJSON{Name: b.Name, Address: b.Address, Disabled: b.Disabled}
		if hc := b.Check; hc != (HealthCheck{}) {
			be.Check = &checkJSON{Type: hc.Type, Port: hc.Port, Path: hc.Path, Interval: duration(hc.Interval),
				Timeout: duration(hc.Timeout), Rise: hc.Rise, Fall: hc.Fall}
		}
		w.Backends = append(w.Backends, be)
	}
	for _, f := range c.Frontends {
		fe := frontendJSON{Name: f.Name, VIP: f.VIP, Protocol: f.Protocol, Port: f.Port, Encap: f.Encap, DSCP: f.DSCP,
			SrvType: f.SrvType, TargetPort: f.TargetPort, NodePort: f.NodePort, NewFlowsTableLength: f.NewFlowsTableLength,
			Pools: []poolJSON{}}
		for _, p := range f.Pools {
			pool := poolJSON{Name: p.Name, Backends: []memberJSON{}}
			for _, m := range p.Members {
				weight := m.Weight
				pool.Backends = append(pool.Backends, memberJSON{Backend: m.Backend, Weight: &weight})
			}
			fe.Pools = append(fe.Pools, pool)
		}
		w.Frontends = append(w.Frontends, fe)
	}
	return w
}
