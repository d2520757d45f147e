package vpp_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

func TestParseConfig_ReadsTheJSONForm(t *testing.T) {
	data, err := os.ReadFile("testdata/config.json")
	require.NoError(t, err)
	c, err := vpp.ParseConfig(data)
	require.NoError(t, err)
	want := vpp.Config{
		Conf: vpp.Conf{IP4Src: netip.MustParseAddr("192.0.2.254"), StickyBucketsPerCore: 1024, FlowTimeout: 40 * time.Second},
		Backends: []vpp.Backend{
			{Name: "a", Address: netip.MustParseAddr("10.0.0.1"), Check: vpp.HealthCheck{Type: vpp.CheckHTTP, Port: 8080,
				Path: "/healthz", Interval: time.Second, Timeout: 500 * time.Millisecond, Rise: 2, Fall: 3}},
			{Name: "b", Address: netip.MustParseAddr("10.0.0.2"), Disabled: true, Check: vpp.HealthCheck{Type: vpp.CheckTCP,
				Port: 443, Interval: 2 * time.Second, Timeout: time.Second, Rise: 1, Fall: 1}},
			{Name: "s", Address: netip.MustParseAddr("10.0.0.9")},
		},
		Frontends: []vpp.Frontend{
			{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80, Encap: vpp.EncapL3DSR, DSCP: 10,
				NewFlowsTableLength: 4096, Pools: []vpp.Pool{
					{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 50}}},
					{Name: "sorry", Members: []vpp.Member{{Backend: "s", Weight: 0}}},
				}},
			{Name: "dns", VIP: netip.MustParseAddr("192.0.2.2"), Protocol: vpp.UDP, Port: 53, Encap: vpp.EncapNAT4,
				SrvType: vpp.SrvNodePort, TargetPort: 5353, NodePort: 30053, Pools: []vpp.Pool{
					{Name: "all", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "s", Weight: 100}}},
				}},
		},
	}
	assert.Equal(t, want, c, "a weight left out is 100; a check left out makes the backend static")
}

func TestParseConfig_WritesWhatItReads(t *testing.T) {
	for _, c := range []vpp.Config{validConfig(), func() vpp.Config {
		data, err := os.ReadFile("testdata/config.json")
		require.NoError(t, err)
		c, err := vpp.ParseConfig(data)
		require.NoError(t, err)
		return c
	}()} {
		data, err := json.Marshal(c)
		require.NoError(t, err)
		again, err := vpp.ParseConfig(data)
		require.NoError(t, err, "%s", data)
		assert.Equal(t, c, again)
	}
}

func TestParseConfig_RefusesWhatIsNotAValidConfig(t *testing.T) {
	const frontends = `"frontends": [{"name": "web", "vip": "192.0.2.1", "protocol": "tcp", "port": 80,
		"pools": [{"name": "p", "backends": [{"backend": "a"}]}]}]`
	const backends = `"backends": [{"name": "a", "address": "10.0.0.1"}]`
	ok := `{` + backends + `, ` + frontends + `}`
	_, err := vpp.ParseConfig([]byte(ok))
	require.NoError(t, err, "the base case parses")
	tests := []struct{ name, data, want string }{
		{"not JSON", `{`, "unexpected EOF"},
		{"an unknown field", strings.Replace(ok, `"name": "a"`, `"name": "a", "weight": 3`, 1), `unknown field "weight"`},
		{"data after the config", ok + ` {}`, "data after the config"},
		{"a bad address", strings.Replace(ok, "10.0.0.1", "10.0.0.256", 1), "10.0.0.256"},
		{"a bad protocol", strings.Replace(ok, `"tcp"`, `"sctp"`, 1), `unknown protocol "sctp"`},
		{"a bad encap", strings.Replace(ok, `"port": 80`, `"port": 80, "encap": "gre5"`, 1), `unknown encap "gre5"`},
		{"a bad duration", strings.Replace(ok, `"address": "10.0.0.1"`, `"address": "10.0.0.1", "check": {"type": "tcp", "port": 1, "interval": "soon", "timeout": "1s", "rise": 1, "fall": 1}`, 1), `invalid duration "soon"`},
		{"a weight above 255", strings.Replace(ok, `{"backend": "a"}`, `{"backend": "a", "weight": 300}`, 1), "cannot unmarshal number 300"},
		{"a weight above 100", strings.Replace(ok, `{"backend": "a"}`, `{"backend": "a", "weight": 101}`, 1), "weight 101 is above 100"},
		{"an invalid config", strings.Replace(ok, `"port": 80`, `"port": 0`, 1), "frontends[0] web: no port"},
		{"null", `null`, "no frontends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vpp.ParseConfig([]byte(tt.data))
			require.ErrorIs(t, err, vpp.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// FuzzParseConfig checks that the config parser never panics, that what it accepts is valid,
// and that writing what it read and reading that again gives the same config.
func FuzzParseConfig(f *testing.F) {
	data, err := os.ReadFile("testdata/config.json")
	require.NoError(f, err)
	f.Add(data)
	valid, err := json.Marshal(validConfig())
	require.NoError(f, err)
	f.Add(valid)
	f.Add([]byte(`{"frontends": [{"name": "x", "vip": "2001:db8::1", "protocol": "udp", "port": 1, "encap": "nat6", "pools": []}]}`))
	f.Add([]byte(`{"backends": null, "frontends": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := vpp.ParseConfig(data)
		if err != nil {
			require.ErrorIs(t, err, vpp.ErrInvalidConfig)
			return
		}
		require.NoError(t, c.Validate())
		out, err := json.Marshal(c)
		require.NoError(t, err)
		again, err := vpp.ParseConfig(out)
		require.NoError(t, err, "%s", out)
		assert.Equal(t, c, again)
	})
}
