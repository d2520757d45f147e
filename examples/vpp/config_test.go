package vpp_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

func validConfig() vpp.Config {
	hc := vpp.HealthCheck{Type: vpp.CheckHTTP, Port: 8080, Path: "/healthz", Interval: time.Second, Timeout: time.Second / 2, Rise: 2, Fall: 2}
	return vpp.Config{
		Backends: []vpp.Backend{
			{Name: "a", Address: netip.MustParseAddr("10.0.0.1"), Check: hc},
			{Name: "b", Address: netip.MustParseAddr("10.0.0.2"), Check: hc},
			{Name: "c", Address: netip.MustParseAddr("10.0.0.3"), Check: hc},
			{Name: "s", Address: netip.MustParseAddr("10.0.0.4")}, // static
		},
		Frontends: []vpp.Frontend{{
			Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80,
			Pools: []vpp.Pool{
				{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 50}}},
				{Name: "secondary", Members: []vpp.Member{{Backend: "c", Weight: 100}}},
				{Name: "sorry", Members: []vpp.Member{{Backend: "s", Weight: 10}}},
			},
		}},
	}
}

func TestConfig_ValidConfigPasses(t *testing.T) {
	require.NoError(t, validConfig().Validate())
}

func TestConfig_ValidateNamesEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		change func(*vpp.Config)
		want   string
	}{
		{"no frontends", func(c *vpp.Config) { c.Frontends = nil }, "config: no frontends"},
		{"backend without name", func(c *vpp.Config) { c.Backends[0].Name = "" }, "backends[0] : no name"},
		{"backend without address", func(c *vpp.Config) { c.Backends[1].Address = netip.Addr{} }, "backends[1] b: no address"},
		{"duplicate backend", func(c *vpp.Config) { c.Backends[1].Name = "a" }, "backends[1] a: name is used twice"},
		{"shared address", func(c *vpp.Config) { c.Backends[1].Address = c.Backends[0].Address }, "address 10.0.0.1 is also backend a's"},
		{"check without port", func(c *vpp.Config) { c.Backends[0].Check.Port = 0 }, "http check without a port"},
		{"zero interval", func(c *vpp.Config) { c.Backends[0].Check.Interval = 0 }, "interval and timeout must be positive"},
		{"zero rise", func(c *vpp.Config) { c.Backends[0].Check.Rise = 0 }, "rise and fall must be at least 1"},
		{"bad path", func(c *vpp.Config) { c.Backends[0].Check.Path = "healthz" }, `path "healthz" does not start with /`},
		{"unknown check type", func(c *vpp.Config) { c.Backends[0].Check.Type = 9 }, "unknown check type 9"},
		{"frontend without VIP", func(c *vpp.Config) { c.Frontends[0].VIP = netip.Addr{} }, "frontends[0] web: no VIP"},
		{"bad protocol", func(c *vpp.Config) { c.Frontends[0].Protocol = 1 }, "protocol proto-1 is neither tcp nor udp"},
		{"no port", func(c *vpp.Config) { c.Frontends[0].Port = 0 }, "frontends[0] web: no port"},
		{"no pools", func(c *vpp.Config) { c.Frontends[0].Pools = nil }, "frontends[0] web: no pools"},
		{"empty pool", func(c *vpp.Config) { c.Frontends[0].Pools[1].Members = nil }, "pools[1] secondary: no backends"},
		{"unknown member", func(c *vpp.Config) { c.Frontends[0].Pools[0].Members[0].Backend = "zz" }, `backend "zz" is not configured`},
		{"member twice", func(c *vpp.Config) { c.Frontends[0].Pools[1].Members[0].Backend = "a" }, `backend "a" is in the frontend twice`},
		{"weight above 100", func(c *vpp.Config) { c.Frontends[0].Pools[0].Members[0].Weight = 101 }, "weight 101 is above 100"},
		{"sticky buckets not a power of two", func(c *vpp.Config) { c.Conf.StickyBucketsPerCore = 1000 }, "conf: sticky buckets per core 1000 is not a power of two"},
		{"negative flow timeout", func(c *vpp.Config) { c.Conf.FlowTimeout = -time.Second }, "conf: negative flow timeout"},
		{"unknown encap", func(c *vpp.Config) { c.Frontends[0].Encap = 9 }, "unknown encap 9"},
		{"gre6 to IPv4 backends", func(c *vpp.Config) { c.Frontends[0].Encap = vpp.EncapGRE6 }, `backend "a" address 10.0.0.1 does not fit encap gre6`},
		{"nat6 on an IPv4 VIP", func(c *vpp.Config) { c.Frontends[0].Encap = vpp.EncapNAT6 }, "encap nat6 does not fit VIP 192.0.2.1"},
		{"l3dsr on an IPv6 VIP", func(c *vpp.Config) {
			c.Frontends[0].Encap, c.Frontends[0].VIP = vpp.EncapL3DSR, netip.MustParseAddr("2001:db8::1")
		}, "encap l3dsr does not fit VIP 2001:db8::1"},
		{"dscp without l3dsr", func(c *vpp.Config) { c.Frontends[0].DSCP = 10 }, "dscp 10: only l3dsr takes one"},
		{"dscp above 63", func(c *vpp.Config) { c.Frontends[0].Encap, c.Frontends[0].DSCP = vpp.EncapL3DSR, 64 }, "dscp 64: only l3dsr takes one, from 0 to 63"},
		{"target port without nat", func(c *vpp.Config) { c.Frontends[0].TargetPort = 8080 }, "target port and node port are for nat4 and nat6 only"},
		{"unknown service type", func(c *vpp.Config) { c.Frontends[0].Encap, c.Frontends[0].SrvType = vpp.EncapNAT4, 7 }, "unknown service type 7"},
		{"table length not a power of two", func(c *vpp.Config) { c.Frontends[0].NewFlowsTableLength = 1000 }, "new flows table length 1000 is not a power of two up to 32768"},
		{"table length too long to dump", func(c *vpp.Config) { c.Frontends[0].NewFlowsTableLength = 1 << 16 }, "new flows table length 65536 is not a power of two"},
		{"frontend name twice", func(c *vpp.Config) {
			f := c.Frontends[0]
			f.Port = 443
			c.Frontends = append(c.Frontends, f)
		}, "frontends[1] web: name is used twice"},
		{"two encaps on one VIP", func(c *vpp.Config) {
			f := c.Frontends[0]
			f.Name, f.Port, f.Encap = "dns", 53, vpp.EncapNAT4
			c.Frontends = append(c.Frontends, f)
		}, "frontends[1] dns: encap nat4 differs from frontend web's gre4 on the same VIP"},
		{"duplicate VIP", func(c *vpp.Config) {
			f := c.Frontends[0]
			f.Name = "web2"
			c.Frontends = append(c.Frontends, f)
		}, "frontends[1] web2: VIP, protocol and port are also frontend web's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			require.ErrorIs(t, err, vpp.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestConfig_ValidateReportsAllProblemsAtOnce(t *testing.T) {
	c := validConfig()
	c.Backends[0].Address = netip.Addr{}
	c.Frontends[0].Port = 0
	err := c.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "backends[0] a: no address")
	assert.Contains(t, err.Error(), "frontends[0] web: no port")
}

func TestConfig_EveryEncapWithTheAddressesItFits(t *testing.T) {
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	tests := []struct {
		name    string
		encap   vpp.Encap
		vip     netip.Addr
		servers string // "4" or "6"
	}{
		{"gre4 from an IPv4 VIP", vpp.EncapGRE4, v4, "4"},
		{"gre4 from an IPv6 VIP", vpp.EncapGRE4, v6, "4"},
		{"gre6 from an IPv4 VIP", vpp.EncapGRE6, v4, "6"},
		{"gre6 from an IPv6 VIP", vpp.EncapGRE6, v6, "6"},
		{"l3dsr", vpp.EncapL3DSR, v4, "4"},
		{"nat4", vpp.EncapNAT4, v4, "4"},
		{"nat6", vpp.EncapNAT6, v6, "6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			c.Frontends[0].VIP, c.Frontends[0].Encap = tt.vip, tt.encap
			for i := range c.Backends {
				if tt.servers == "6" {
					c.Backends[i].Address = netip.MustParseAddr(fmt.Sprintf("2001:db8:1::%d", i+1))
				}
			}
			require.NoError(t, c.Validate())
		})
	}
}
