package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiff(t *testing.T) {
	c1 := conn(ClusterRW, "rw-core1", "rw-core1.1", "10.0.0.1:50057", "rw-core1-0", "n1")
	c2 := conn(ClusterRW, "rw-core1", "rw-core1.2", "10.0.0.2:50057", "rw-core1-1", "n2")
	moved := c1
	moved.Addr = "10.0.0.7:50057"
	base := Table{Connections: []Connection{c1, c2}, Affinities: []Affinity{{"olt-a", "rw-core1"}}}
	tests := []struct {
		name     string
		from, to Table
		want     Changes
	}{
		{name: "equal tables need no call", from: base, to: base},
		{name: "from empty, everything is set", to: base,
			want: Changes{Connections: []Connection{c1, c2}, Affinities: []Affinity{{"olt-a", "rw-core1"}}}},
		{name: "a core with a new address re-points its slot only",
			from: base, to: Table{Connections: []Connection{moved, c2}, Affinities: base.Affinities},
			want: Changes{Connections: []Connection{moved}}},
		{name: "a connection that is gone is removed with an empty address",
			from: base, to: Table{Connections: []Connection{c2}, Affinities: base.Affinities},
			want: Changes{Connections: []Connection{{Cluster: ClusterRW, Backend: "rw-core1", Name: "rw-core1.1"}}}},
		{name: "a moved affinity is set again, a gone one removed with an empty backend",
			from: Table{Affinities: []Affinity{{"olt-a", "rw-core1"}, {"olt-b", "rw-core1"}}},
			to:   Table{Affinities: []Affinity{{"olt-a", "rw-core2"}}},
			want: Changes{Affinities: []Affinity{{"olt-a", "rw-core2"}, {Device: "olt-b"}}}},
		{name: "only the pod name changed: the router sees no difference",
			from: base, to: Table{Connections: []Connection{{Cluster: c1.Cluster, Backend: c1.Backend, Name: c1.Name, Addr: c1.Addr, Pod: "other"}, c2}, Affinities: base.Affinities}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.from, tt.to)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.Len(), got.Len())
		})
	}
}
