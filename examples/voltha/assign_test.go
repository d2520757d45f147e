package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func rw(name, addr, node string) Pod { return Pod{Name: name, Addr: addr, Node: node, Role: RoleRW} }
func ro(name, addr, node string) Pod { return Pod{Name: name, Addr: addr, Node: node, Role: RoleRO} }

func conn(cluster, backend, slot, addr, pod, node string) Connection {
	return Connection{Cluster: cluster, Backend: backend, Name: slot, Addr: addr, Pod: pod, Node: node}
}

func TestAssign(t *testing.T) {
	two := []Pod{rw("rw-core1-0", "10.0.0.1:50057", "n1"), rw("rw-core1-1", "10.0.0.2:50057", "n2")}
	pairs := Table{Connections: []Connection{
		conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.1:50057", "rw-core1-0", "n1"),
		conn(ClusterRW, "rw-core1", "rw-core1.2", "10.0.0.2:50057", "rw-core1-1", "n2"),
	}}
	tests := []struct {
		name     string
		pods     []Pod
		devices  map[string][]string
		prev     Table
		want     Table
		unplaced []string
	}{
		{name: "no pods make an empty table"},
		{name: "two rw-cores with the same prefix form one group, slots by name", pods: two, want: pairs},
		{
			name: "pods without an address are not running and are left out",
			pods: append([]Pod{rw("rw-core2-0", "", "n1")}, two...), want: pairs,
		},
		{
			name:    "each device gets an affinity to the backend of the group whose cores hold it",
			pods:    append([]Pod{rw("rw-core2-0", "10.0.0.3:50057", "n3")}, two...),
			devices: map[string][]string{"rw-core1-0": {"olt-b", "olt-a"}, "rw-core1-1": {"olt-a"}, "rw-core2-0": {"olt-c"}},
			want: Table{
				Connections: append(pairs.Connections, conn(ClusterRW, "rw-core2", "rw-core2.1", "10.0.0.3:50057", "rw-core2-0", "n3")),
				Affinities:  []Affinity{{"olt-a", "rw-core1"}, {"olt-b", "rw-core1"}, {"olt-c", "rw-core2"}},
			},
		},
		{
			name:    "a device held in two groups goes to the group where more members hold it",
			pods:    append([]Pod{rw("rw-core0-0", "10.0.0.3:50057", "n3")}, two...),
			devices: map[string][]string{"rw-core0-0": {"olt-a"}, "rw-core1-0": {"olt-a"}, "rw-core1-1": {"olt-a"}},
			want: Table{
				Connections: append([]Connection{conn(ClusterRW, "rw-core0", "rw-core0.1", "10.0.0.3:50057", "rw-core0-0", "n3")}, pairs.Connections...),
				Affinities:  []Affinity{{"olt-a", "rw-core1"}},
			},
		},
		{
			name:    "a device held equally in two groups goes to the first backend by name",
			pods:    []Pod{rw("rw-core2-0", "a:1", "n1"), rw("rw-core1-0", "b:1", "n2")},
			devices: map[string][]string{"rw-core1-0": {"olt-a"}, "rw-core2-0": {"olt-a"}},
			want: Table{
				Connections: []Connection{
					conn(ClusterRW, "rw-core1", "rw-core1.1", "b:1", "rw-core1-0", "n2"),
					conn(ClusterRW, "rw-core2", "rw-core2.1", "a:1", "rw-core2-0", "n1"),
				},
				Affinities: []Affinity{{"olt-a", "rw-core1"}},
			},
		},
		{
			name:    "a third pod with the same prefix is unplaced; the cores holding devices win",
			pods:    append([]Pod{rw("rw-core1-2", "10.0.0.9:50057", "n9")}, two...),
			devices: map[string][]string{"rw-core1-2": {"olt-a"}, "rw-core1-1": {"olt-a"}},
			want: Table{
				Connections: []Connection{
					conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.2:50057", "rw-core1-1", "n2"),
					conn(ClusterRW, "rw-core1", "rw-core1.2", "10.0.0.9:50057", "rw-core1-2", "n9"),
				},
				Affinities: []Affinity{{"olt-a", "rw-core1"}},
			},
			unplaced: []string{"rw-core1-0"},
		},
		{
			name:    "ro-cores are the connections of the one read-only backend and get no affinities",
			pods:    []Pod{ro("ro-core-b", "b:1", "n2"), ro("ro-core-a", "a:1", "n1")},
			devices: map[string][]string{"ro-core-a": {"olt-a"}},
			want: Table{Connections: []Connection{
				conn(ClusterRO, BackendRO, "ro-core.1", "a:1", "ro-core-a", "n1"),
				conn(ClusterRO, BackendRO, "ro-core.2", "b:1", "ro-core-b", "n2"),
			}},
		},
		{
			name: "a core that came back with a new address keeps its slot",
			pods: []Pod{rw("rw-core1-0", "10.0.0.7:50057", "n1"), rw("rw-core1-1", "10.0.0.2:50057", "n2")},
			prev: pairs,
			want: Table{Connections: []Connection{
				conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.7:50057", "rw-core1-0", "n1"),
				pairs.Connections[1],
			}},
		},
		{
			name: "a replacement core with a new name takes the slot vacated on its node",
			pods: []Pod{rw("rw-core1-1", "10.0.0.2:50057", "n2"), rw("rw-core1-a", "10.0.0.8:50057", "n1")},
			prev: pairs,
			want: Table{Connections: []Connection{
				conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.8:50057", "rw-core1-a", "n1"),
				pairs.Connections[1],
			}},
		},
		{
			name: "a core on a new node takes the first free slot",
			pods: []Pod{rw("rw-core1-1", "10.0.0.2:50057", "n2"), rw("rw-core1-a", "10.0.0.8:50057", "n7")},
			prev: Table{Connections: pairs.Connections[1:]},
			want: Table{Connections: []Connection{
				conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.8:50057", "rw-core1-a", "n7"),
				pairs.Connections[1],
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unplaced := Assign(tt.pods, tt.devices, tt.prev)
			assert.Equal(t, tt.want, got)
			var names []string
			for _, p := range unplaced {
				names = append(names, p.Name)
			}
			assert.Equal(t, tt.unplaced, names, "unplaced pods")
		})
	}
}

func TestPairName(t *testing.T) {
	tests := []struct{ pod, want string }{
		{"rw-core1-0", "rw-core1"},
		{"rw-core1-5d8f9-x2z", "rw-core1-5d8f9"},
		{"core", "core"},
		{"-x", "-x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, PairName(tt.pod), tt.pod)
	}
}
