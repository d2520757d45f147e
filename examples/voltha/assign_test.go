package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var n = DefaultNames

func rw(name, addr, node string) Pod {
	role, group, _ := ClassifyByName(podNamed(name))
	return Pod{Name: name, Addr: addr, Node: node, Role: role, Group: group}
}
func ro(name, addr, node string) Pod { return Pod{Name: name, Addr: addr, Node: node, Role: RoleRO} }

func rwc(slot, addr, pod, node string) Connection {
	return Connection{Cluster: n.RWCluster, Backend: slot[:len(slot)-1], Name: slot, Addr: addr, Pod: pod, Node: node}
}

func roc(slot, addr, pod, node string) Connection {
	return Connection{Cluster: n.ROCluster, Backend: slot[:len(slot)-1], Name: slot, Addr: addr, Pod: pod, Node: node}
}

// open is a layout with no gate.
var open = Layout{Names: DefaultNames}

func TestAssign(t *testing.T) {
	two := []Pod{rw("rw-core1-0", "10.0.0.1:50057", "n1"), rw("rw-core1-1", "10.0.0.2:50057", "n2")}
	pair := []Connection{rwc("vcore11", "10.0.0.1:50057", "rw-core1-0", "n1"), rwc("vcore12", "10.0.0.2:50057", "rw-core1-1", "n2")}
	tests := []struct {
		name     string
		layout   Layout
		pods     []Pod
		devices  map[string][]string
		prev     Table
		want     Table
		unplaced []string
	}{
		{name: "no pods make an empty table", layout: open},
		{name: "two rw-cores of group 1 are the connections of backend vcore1, slots by name", layout: open,
			pods: two, want: Table{Connections: pair}},
		{name: "pods without an address are not running and are left out", layout: open,
			pods: append([]Pod{rw("rw-core2-0", "", "n1")}, two...), want: Table{Connections: pair}},
		{
			name: "each device gets an affinity to the backend of the group whose cores hold it", layout: open,
			pods:    append([]Pod{rw("rw-core2-0", "10.0.0.3:50057", "n3")}, two...),
			devices: map[string][]string{"rw-core1-0": {"olt-b", "olt-a"}, "rw-core1-1": {"olt-a"}, "rw-core2-0": {"olt-c"}},
			want: Table{
				Connections: append(pair, rwc("vcore21", "10.0.0.3:50057", "rw-core2-0", "n3")),
				Affinities:  []Affinity{{"olt-a", "vcore1"}, {"olt-b", "vcore1"}, {"olt-c", "vcore2"}},
			},
		},
		{
			name: "a device held in two groups goes to the group where more members hold it", layout: open,
			pods:    append([]Pod{rw("rw-core3-0", "10.0.0.3:50057", "n3")}, two...),
			devices: map[string][]string{"rw-core3-0": {"olt-a"}, "rw-core1-0": {"olt-a"}, "rw-core1-1": {"olt-a"}},
			want: Table{
				Connections: append(pair, rwc("vcore31", "10.0.0.3:50057", "rw-core3-0", "n3")),
				Affinities:  []Affinity{{"olt-a", "vcore1"}},
			},
		},
		{
			name: "a device held equally in two groups goes to the first backend by name", layout: open,
			pods:    []Pod{rw("rw-core2-0", "10.0.0.5:1", "n1"), rw("rw-core1-0", "10.0.0.6:1", "n2")},
			devices: map[string][]string{"rw-core1-0": {"olt-a"}, "rw-core2-0": {"olt-a"}},
			want: Table{
				Connections: []Connection{rwc("vcore11", "10.0.0.6:1", "rw-core1-0", "n2"), rwc("vcore21", "10.0.0.5:1", "rw-core2-0", "n1")},
				Affinities:  []Affinity{{"olt-a", "vcore1"}},
			},
		},
		{
			name: "a device keeps the backend it had, though another group holds it more", layout: open,
			pods:    append([]Pod{rw("rw-core2-0", "10.0.0.3:50057", "n3")}, two...),
			devices: map[string][]string{"rw-core2-0": {"olt-a"}, "rw-core1-0": {"olt-a"}, "rw-core1-1": {"olt-a"}},
			prev:    Table{Connections: []Connection{rwc("vcore21", "10.0.0.3:50057", "rw-core2-0", "n3")}, Affinities: []Affinity{{"olt-a", "vcore2"}}},
			want: Table{
				Connections: append(pair, rwc("vcore21", "10.0.0.3:50057", "rw-core2-0", "n3")),
				Affinities:  []Affinity{{"olt-a", "vcore2"}},
			},
		},
		{
			name: "a device no running core answers with keeps its affinity", layout: open,
			pods: two, prev: Table{Connections: pair, Affinities: []Affinity{{"olt-a", "vcore1"}}},
			want: Table{Connections: pair, Affinities: []Affinity{{"olt-a", "vcore1"}}},
		},
		{
			name: "a third pod of a group is unplaced; the cores holding devices win", layout: open,
			pods:    append([]Pod{rw("rw-core1-2", "10.0.0.9:50057", "n9")}, two...),
			devices: map[string][]string{"rw-core1-2": {"olt-a"}, "rw-core1-1": {"olt-a"}},
			want: Table{
				Connections: []Connection{rwc("vcore11", "10.0.0.2:50057", "rw-core1-1", "n2"), rwc("vcore12", "10.0.0.9:50057", "rw-core1-2", "n9")},
				Affinities:  []Affinity{{"olt-a", "vcore1"}},
			},
			unplaced: []string{"rw-core1-0"},
		},
		{
			name: "a core whose group has no backend in the layout is unplaced", layout: Layout{Names: n, RWCores: 2},
			pods: append([]Pod{rw("rw-core2-0", "10.0.0.3:50057", "n3")}, two[0]), want: Table{Connections: pair[:1]},
			unplaced: []string{"rw-core2-0"},
		},
		{
			name: "each ro-core is the one connection of a backend of its own, and gets no affinities", layout: open,
			pods:    []Pod{ro("ro-core-b", "10.0.9.2:1", "n2"), ro("ro-core-a", "10.0.9.1:1", "n1")},
			devices: map[string][]string{"ro-core-a": {"olt-a"}},
			want:    Table{Connections: []Connection{roc("ro_vcore11", "10.0.9.1:1", "ro-core-a", "n1"), roc("ro_vcore21", "10.0.9.2:1", "ro-core-b", "n2")}},
		},
		{
			name: "a core that came back with a new address keeps its slot", layout: open,
			pods: []Pod{rw("rw-core1-0", "10.0.0.7:50057", "n1"), two[1]}, prev: Table{Connections: pair},
			want: Table{Connections: []Connection{rwc("vcore11", "10.0.0.7:50057", "rw-core1-0", "n1"), pair[1]}},
		},
		{
			name: "a replacement core with a new name takes the slot vacated on its node", layout: open,
			pods: []Pod{two[1], rw("rw-core1-a", "10.0.0.8:50057", "n1")}, prev: Table{Connections: pair},
			want: Table{Connections: []Connection{rwc("vcore11", "10.0.0.8:50057", "rw-core1-a", "n1"), pair[1]}},
		},
		{
			name: "a core on a new node takes the first slot no running core holds", layout: open,
			pods: []Pod{two[1], rw("rw-core1-a", "10.0.0.8:50057", "n7")}, prev: Table{Connections: pair[1:]},
			want: Table{Connections: []Connection{rwc("vcore11", "10.0.0.8:50057", "rw-core1-a", "n7"), pair[1]}},
		},
		{
			name: "a slot whose core is gone keeps its last address", layout: open,
			pods: two[1:], prev: Table{Connections: pair, Affinities: []Affinity{{"olt-a", "vcore1"}}},
			want: Table{Connections: pair, Affinities: []Affinity{{"olt-a", "vcore1"}}},
		},
		{
			name: "the slots of a group whose cores are all gone keep their addresses and affinities", layout: open,
			pods: []Pod{ro("ro-core-a", "10.0.9.1:1", "n1")}, prev: Table{Connections: pair, Affinities: []Affinity{{"olt-a", "vcore1"}}},
			want: Table{Connections: append([]Connection{roc("ro_vcore11", "10.0.9.1:1", "ro-core-a", "n1")}, pair...), Affinities: []Affinity{{"olt-a", "vcore1"}}},
		},
		{
			name:   "the gate: with fewer rw-cores than the layout expects, the rw connections stay as they were",
			layout: Layout{Names: n, RWCores: 2}, pods: []Pod{rw("rw-core1-0", "10.0.0.7:50057", "n1")},
			prev: Table{Connections: pair}, want: Table{Connections: pair},
		},
		{
			name:   "the gate: nothing is configured before the expected number of rw-cores run",
			layout: Layout{Names: n, RWCores: 4}, pods: two, devices: map[string][]string{"rw-core1-0": {"olt-a"}},
		},
		{
			name:   "the gate: nothing is configured before the expected number of ro-cores run",
			layout: Layout{Names: n, RWCores: 2, ROCores: 2}, pods: append([]Pod{ro("ro-core-a", "10.0.9.1:1", "n1")}, two...),
		},
		{
			name:   "the gate: with fewer rw-cores than expected, the ro connections stay as they were too",
			layout: Layout{Names: n, RWCores: 2, ROCores: 1},
			pods:   []Pod{ro("ro-core-a", "10.0.9.1:1", "n1"), two[0]},
			prev:   Table{Connections: append([]Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1")}, pair...)},
			want:   Table{Connections: append([]Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1")}, pair...)},
		},
		{
			name:   "the gate: with the rw-cores expected, the rw side changes while the ro side waits for its count",
			layout: Layout{Names: n, RWCores: 2, ROCores: 1},
			pods:   []Pod{ro("ro-core-a", "10.0.9.1:1", "n1"), ro("ro-core-b", "10.0.9.2:1", "n1"), rw("rw-core1-0", "10.0.0.7:50057", "n1"), two[1]},
			prev:   Table{Connections: append([]Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1")}, pair...)},
			want: Table{Connections: []Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1"),
				rwc("vcore11", "10.0.0.7:50057", "rw-core1-0", "n1"), pair[1]}},
		},
		{
			name:   "the gate: with more ro-cores than the layout expects, the ro connections stay as they were",
			layout: Layout{Names: n, ROCores: 1},
			pods:   []Pod{ro("ro-core-a", "10.0.9.1:1", "n1"), ro("ro-core-b", "10.0.9.2:1", "n1")},
			prev:   Table{Connections: []Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1")}},
			want:   Table{Connections: []Connection{roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1")}},
		},
		{
			name:   "the gate: once the expected number run again, the slot is re-pointed",
			layout: Layout{Names: n, RWCores: 2, ROCores: 1},
			pods:   []Pod{ro("ro-core-b", "10.0.9.2:1", "n1"), rw("rw-core1-0", "10.0.0.7:50057", "n1"), two[1]},
			prev:   Table{Connections: append(pair, roc("ro_vcore11", "10.0.9.3:1", "ro-core-c", "n1"))},
			want: Table{Connections: []Connection{roc("ro_vcore11", "10.0.9.2:1", "ro-core-b", "n1"),
				rwc("vcore11", "10.0.0.7:50057", "rw-core1-0", "n1"), pair[1]}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unplaced := tt.layout.Assign(tt.pods, tt.devices, tt.prev)
			assert.Equal(t, tt.want, got)
			var names []string
			for _, p := range unplaced {
				names = append(names, p.Name)
			}
			assert.Equal(t, tt.unplaced, names, "unplaced pods")
		})
	}
}
