package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

func env(vars map[string]string) lookupFunc {
	return func(key string) (string, bool) { v, ok := vars[key]; return v, ok }
}

func TestTheFlagsDefaultToTheOriginsEnvironmentAndItsDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{namespace: "voltha", corePort: 50057, afrouter: "localhost:55554", listen: ":8080",
		layout: voltha.Layout{Names: voltha.Names{Server: "grpc_command", Router: "vcore", Route: "dev_manager",
			RWCluster: "vcore", ROCluster: "ro_vcore"}, RWCores: 6, ROCores: 3}}, cfg)

	cfg, err = parseConfig(nil, env(map[string]string{
		"K8S_API_SERVER": "https://k8s:6443", "K8S_KUBE_CONFIG_PATH": "/etc/kube", "POD_NAMESPACE": "v2",
		"POD_GRPC_PORT": "50058", "NUM_RW_PODS": "4", "NUM_RO_PODS": "1", "AFROUTER_API_ADDRESS": "127.0.0.1:55555",
		"AFROUTER_ROUTER_NAME": "r", "AFROUTER_ROUTE_NAME": "dm", "AFROUTER_RW_CLUSTER_NAME": "rw",
		"AFROUTER_RO_CLUSTER_NAME": "ro",
	}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{kubeAPI: "https://k8s:6443", kubeconfig: "/etc/kube", namespace: "v2", corePort: 50058,
		afrouter: "127.0.0.1:55555", listen: ":8080", layout: voltha.Layout{Names: voltha.Names{Server: "grpc_command",
			Router: "r", Route: "dm", RWCluster: "rw", ROCluster: "ro"}, RWCores: 4, ROCores: 1}}, cfg)
}

func TestAFlagOverridesTheEnvironment(t *testing.T) {
	cfg, err := parseConfig([]string{"-cluster", "-afrouter=10.0.0.1:55554", "-rw-cores=2", "-server=grpc"},
		env(map[string]string{"AFROUTER_API_ADDRESS": "x:1", "NUM_RW_PODS": "8"}), io.Discard)
	require.NoError(t, err)
	assert.True(t, cfg.cluster)
	assert.Equal(t, "10.0.0.1:55554", cfg.afrouter)
	assert.Equal(t, 2, cfg.layout.RWCores)
	assert.Equal(t, "grpc", cfg.layout.Names.Server)
}

func TestABadValueIsAnErrorNotAPanic(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"a port that is not a number", nil, map[string]string{"POD_GRPC_PORT": "x"}},
		{"a port out of range", nil, map[string]string{"POD_GRPC_PORT": "70000"}},
		{"a negative count", nil, map[string]string{"NUM_RO_PODS": "-1"}},
		{"an odd number of read-write cores", []string{"-rw-cores=3"}, nil},
		{"an empty cluster name", nil, map[string]string{"AFROUTER_RW_CLUSTER_NAME": ""}},
		{"an argument", []string{"extra"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, env(tt.env), io.Discard)
			assert.Error(t, err)
		})
	}
}
