package vpp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// ErrInvalidConfig is matched (with errors.Is) by every problem [Config.Validate] reports.
var ErrInvalidConfig = errors.New("vpp: invalid config")

// MaxWeight is the largest weight the LB plugin takes for an application server.
const MaxWeight = 100

// Config is what the controller keeps programmed: the global LB settings, the backends (each
// health-checked once, however many frontends use it) and the frontends, each with ordered
// pools of backends. A Config is a plain value; the controller never changes it.
type Config struct {
	Conf      Conf
	Backends  []Backend
	Frontends []Frontend
}

// Backend is one application server: its name, the address the dataplane sends traffic to (and
// the health check probes), whether an operator disabled it in the config, and its health
// check. A backend whose Check is the zero value ([CheckNone]) is static: it counts as up at
// the first check.
type Backend struct {
	Name     string
	Address  netip.Addr
	Disabled bool
	Check    HealthCheck
}

// CheckType is the kind of a [HealthCheck].
type CheckType uint8

// The kinds of health check. CheckNone, the zero value, makes a backend static.
const (
	CheckNone CheckType = iota
	CheckTCP            // connect to Address:Port and close
	CheckHTTP           // GET http://Address:Port/Path, any 2xx or 3xx answer passes
)

// String returns "none", "tcp" or "http".
func (t CheckType) String() string {
	switch t {
	case CheckNone:
		return "none"
	case CheckTCP:
		return "tcp"
	case CheckHTTP:
		return "http"
	}
	return fmt.Sprintf("CheckType(%d)", uint8(t))
}

// HealthCheck says how to probe a backend and how many results in a row move it: Rise passes
// bring a down backend up, Fall failures bring an up backend down. Each probe is bounded by
// Timeout, and probes start Interval apart.
type HealthCheck struct {
	Type     CheckType
	Port     uint16
	Path     string // for CheckHTTP; "/" when empty
	Interval time.Duration
	Timeout  time.Duration
	Rise     int
	Fall     int
}

// Protocol is a frontend's IP protocol, numbered as IANA (and VPP) number them.
type Protocol uint8

// The protocols a frontend can balance.
const (
	TCP Protocol = 6
	UDP Protocol = 17
)

// String returns "tcp", "udp" or the number.
func (p Protocol) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return fmt.Sprintf("proto-%d", uint8(p))
}

// Frontend is one virtual service: a VIP, protocol and port, served by the first of its Pools
// that has a backend up (see [ActivePool]).
type Frontend struct {
	Name     string
	VIP      netip.Addr
	Protocol Protocol
	Port     uint16
	Pools    []Pool
}

// Key returns the dataplane's key for the frontend's VIP.
func (f Frontend) Key() VIP {
	return VIP{Prefix: netip.PrefixFrom(f.VIP, f.VIP.BitLen()), Protocol: f.Protocol, Port: f.Port}
}

// Pool is one priority tier of a frontend: backends by name with their weight in this pool.
type Pool struct {
	Name    string
	Members []Member
}

// Member is a backend in a pool, with its configured weight (0 to [MaxWeight]).
type Member struct {
	Backend string
	Weight  uint8
}

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
	keys := map[VIP]string{}
	for i, f := range c.Frontends {
		at := fmt.Sprintf("frontends[%d] %s", i, f.Name)
		v.frontend(at, f, backends)
		if other, dup := keys[f.Key()]; dup {
			v.bad(at, "VIP, protocol and port are also frontend %s's", other)
		}
		keys[f.Key()] = f.Name
	}
	if len(c.Frontends) == 0 {
		v.bad("config", "no frontends")
	}
	return v.err()
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
	seen := map[string]bool{}
	for j, p := range f.Pools {
		pat := fmt.Sprintf("%s: pools[%d] %s", at, j, p.Name)
		if len(p.Members) == 0 {
			v.bad(pat, "no backends")
		}
		for _, m := range p.Members {
			switch _, ok := backends[m.Backend]; {
			case !ok:
				v.bad(pat, "backend %q is not configured", m.Backend)
			case seen[m.Backend]:
				v.bad(pat, "backend %q is in the frontend twice", m.Backend)
			}
			if m.Weight > MaxWeight {
				v.bad(pat, "backend %q weight %d is above %d", m.Backend, m.Weight, MaxWeight)
			}
			seen[m.Backend] = true
		}
	}
}
