package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiff(t *testing.T) {
	c1 := rwc("vcore11", "10.0.0.1:50057", "rw-core1-0", "n1")
	c2 := rwc("vcore12", "10.0.0.2:50057", "rw-core1-1", "n2")
	moved := c1
	moved.Addr = "10.0.0.7:50057"
	base := Table{Connections: []Connection{c1, c2}, Affinities: []Affinity{{"olt-a", "vcore1"}}}
	tests := []struct {
		name     string
		from, to Table
		want     Changes
	}{
		{name: "equal tables need no call", from: base, to: base},
		{name: "from empty, everything is set", to: base,
			want: Changes{Connections: []Connection{c1, c2}, Affinities: []Affinity{{"olt-a", "vcore1"}}}},
		{name: "a core with a new address re-points its slot only",
			from: base, to: Table{Connections: []Connection{moved, c2}, Affinities: base.Affinities},
			want: Changes{Connections: []Connection{moved}}},
		{name: "a connection or an affinity that is gone needs no call: the router cannot remove one",
			from: base, to: Table{Connections: []Connection{c2}}},
		{name: "an affinity to another backend is set again",
			from: Table{Affinities: []Affinity{{"olt-a", "vcore1"}, {"olt-b", "vcore1"}}},
			to:   Table{Affinities: []Affinity{{"olt-a", "vcore2"}, {"olt-b", "vcore1"}}},
			want: Changes{Affinities: []Affinity{{"olt-a", "vcore2"}}}},
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
