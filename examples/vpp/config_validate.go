package vpp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrInvalidConfig is matched (with errors.Is) by every problem [Config.Validate] reports.
var ErrInvalidConfig = errors.New("vpp: invalid config")

// Validate reports every problem of the config, not just the first, as one error that matches
// [ErrInvalidConfig]; each line names where the problem is ("frontends[0] web: pools[1]: ...").
// It returns nil for a config the controller can run.
func (c Config) Validate() error {
	v := &validator{}
	backends := map[string]Backend{}
	addrs := map[netip.Addr]string{}
	for i, b := range c.Backends {
		at := fmt.Sprintf("backends[%d] %s", i, b.Name)
		v.backend(at, b)
		if _, dup := backends[b.Name]; dup && b.Name != "" {
			v.bad(at, "name is used twice")
		}
		if other, dup := addrs[b.Address]; dup && b.Address.IsValid() {
			v.bad(at, "address %v is also backend %s's", b.Address, other)
		}
		backends[b.Name], addrs[b.Address] = b, b.Name
	}
	v.conf(c.Conf)
	v.frontends(c.Frontends, backends)
	return v.err()
}

// frontends checks each frontend, and what frontends must not share: a name, a VIP key, and
// (the plugin's rule for every port of a prefix) different encaps on one VIP address.
func (v *validator) frontends(fs []Frontend, backends map[string]Backend) {
	names := map[string]bool{}
	keys := map[VIP]string{}
	encaps := map[netip.Addr]Frontend{}
	for i, f := range fs {
		at := fmt.Sprintf("frontends[%d] %s", i, f.Name)
		v.frontend(at, f, backends)
		if names[f.Name] && f.Name != "" {
			v.bad(at, "name is used twice")
		}
		if other, dup := keys[f.Key()]; dup {
			v.bad(at, "VIP, protocol and port are also frontend %s's", other)
		}
		if other, ok := encaps[f.VIP]; ok && other.Encap != f.Encap {
			v.bad(at, "encap %v differs from frontend %s's %v on the same VIP", f.Encap, other.Name, other.Encap)
		}
		names[f.Name], keys[f.Key()] = true, f.Name
		if _, ok := encaps[f.VIP]; !ok {
			encaps[f.VIP] = f
		}
	}
	if len(fs) == 0 {
		v.bad("config", "no frontends")
	}
}

func (v *validator) conf(c Conf) {
	if b := c.StickyBucketsPerCore; b != 0 && !isPow2(b) {
		v.bad("conf", "sticky buckets per core %d is not a power of two", b)
	}
	if c.FlowTimeout < 0 {
		v.bad("conf", "negative flow timeout %v", c.FlowTimeout)
	}
}

// validator collects problems.
type validator struct{ lines []string }

func (v *validator) bad(at, format string, args ...any) {
	v.lines = append(v.lines, at+": "+fmt.Sprintf(format, args...))
}

func (v *validator) err() error {
	if len(v.lines) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n  %s", ErrInvalidConfig, strings.Join(v.lines, "\n  "))
}

func (v *validator) backend(at string, b Backend) {
	if b.Name == "" {
		v.bad(at, "no name")
	}
	if !b.Address.IsValid() {
		v.bad(at, "no address")
	}
	hc := b.Check
	if hc.Type == CheckNone {
		return
	}
	if hc.Type > CheckHTTP {
		v.bad(at, "unknown check type %d", uint8(hc.Type))
	}
	if hc.Port == 0 {
		v.bad(at, "%v check without a port", hc.Type)
	}
	if hc.Interval <= 0 || hc.Timeout <= 0 {
		v.bad(at, "check interval and timeout must be positive (have %v and %v)", hc.Interval, hc.Timeout)
	}
	if hc.Rise < 1 || hc.Fall < 1 {
		v.bad(at, "check rise and fall must be at least 1 (have %d and %d)", hc.Rise, hc.Fall)
	}
	if hc.Path != "" && !strings.HasPrefix(hc.Path, "/") {
		v.bad(at, "check path %q does not start with /", hc.Path)
	}
}

func (v *validator) frontend(at string, f Frontend, backends map[string]Backend) {
	if f.Name == "" {
		v.bad(at, "no name")
	}
	if !f.VIP.IsValid() {
		v.bad(at, "no VIP")
	}
	if f.Protocol != TCP && f.Protocol != UDP {
		v.bad(at, "protocol %v is neither tcp nor udp", f.Protocol)
	}
	if f.Port == 0 {
		v.bad(at, "no port")
	}
	if len(f.Pools) == 0 {
		v.bad(at, "no pools")
	}
	v.vipParams(at, f)
	seen := map[string]bool{}
	for j, p := range f.Pools {
		v.pool(fmt.Sprintf("%s: pools[%d] %s", at, j, p.Name), f, p, backends, seen)
	}
}

func (v *validator) pool(at string, f Frontend, p Pool, backends map[string]Backend, seen map[string]bool) {
	if len(p.Members) == 0 {
		v.bad(at, "no backends")
	}
	for _, m := range p.Members {
		b, ok := backends[m.Backend]
		switch {
		case !ok:
			v.bad(at, "backend %q is not configured", m.Backend)
		case seen[m.Backend]:
			v.bad(at, "backend %q is in the frontend twice", m.Backend)
		case b.Address.IsValid() && !f.Params().serverFamilyOK(b.Address):
			v.bad(at, "backend %q address %v does not fit encap %v", m.Backend, b.Address, f.Encap)
		}
		if m.Weight > MaxWeight {
			v.bad(at, "backend %q weight %d is above %d", m.Backend, m.Weight, MaxWeight)
		}
		seen[m.Backend] = true
	}
}

// vipParams checks the VIP's parameters as the LB plugin would when the VIP is added.
func (v *validator) vipParams(at string, f Frontend) {
	e := f.Encap
	switch {
	case int(e) >= len(encapNames):
		v.bad(at, "unknown encap %d", uint8(e))
	case f.VIP.IsValid() && !e.allowsVIP(f.VIP.Is4()):
		v.bad(at, "encap %v does not fit VIP %v", e, f.VIP)
	}
	if f.DSCP != 0 && e != EncapL3DSR || f.DSCP >= 64 {
		v.bad(at, "dscp %d: only l3dsr takes one, from 0 to 63", f.DSCP)
	}
	nat := e == EncapNAT4 || e == EncapNAT6
	if !nat && (f.SrvType != SrvClusterIP || f.TargetPort != 0 || f.NodePort != 0) {
		v.bad(at, "service type, target port and node port are for nat4 and nat6 only")
	}
	if f.SrvType > SrvNodePort {
		v.bad(at, "unknown service type %d", uint8(f.SrvType))
	}
	if n := f.NewFlowsTableLength; n != 0 && (!isPow2(n) || n > MaxNewFlowsTableLength) {
		v.bad(at, "new flows table length %d is not a power of two up to %d", n, MaxNewFlowsTableLength)
	}
}
