package vpp_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

func TestEffectiveWeight_TruthTable(t *testing.T) {
	tests := []struct {
		state      vpp.State
		active     bool
		wantWeight uint8
		wantFlush  bool
	}{
		{vpp.StateUnknown, true, 0, false},
		{vpp.StateUnknown, false, 0, false},
		{vpp.StateUp, true, 70, false},
		{vpp.StateUp, false, 0, false},
		{vpp.StateDown, true, 0, true},
		{vpp.StateDown, false, 0, true},
		{vpp.StateDisabled, true, 0, true},
		{vpp.StateDisabled, false, 0, true},
		{vpp.StatePaused, true, 0, false},
		{vpp.StatePaused, false, 0, false},
	}
	covered := map[vpp.State]int{}
	for _, tt := range tests {
		name := tt.state.String() + "/standby"
		if tt.active {
			name = tt.state.String() + "/active"
		}
		t.Run(name, func(t *testing.T) {
			w, flush := vpp.EffectiveWeight(tt.state, tt.active, 70)
			assert.Equal(t, tt.wantWeight, w, "weight")
			assert.Equal(t, tt.wantFlush, flush, "flush")
		})
		covered[tt.state]++
	}
	for _, s := range vpp.States {
		assert.Equal(t, 2, covered[s], "the table must cover %v in and out of the active pool", s)
	}
}

// states returns a state function over a map; missing backends are unknown.
func states(m map[string]vpp.State) func(string) vpp.State {
	return func(n string) vpp.State { return m[n] }
}

func TestActivePool(t *testing.T) {
	pools := []vpp.Pool{
		{Name: "p0", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 100}}},
		{Name: "p1", Members: []vpp.Member{{Backend: "c", Weight: 100}}},
		{Name: "p2", Members: []vpp.Member{{Backend: "d", Weight: 100}, {Backend: "z", Weight: 0}}},
	}
	all := func(s vpp.State) map[string]vpp.State {
		return map[string]vpp.State{"a": s, "b": s, "c": s, "d": s, "z": s}
	}
	tests := []struct {
		name   string
		states map[string]vpp.State
		want   int
	}{
		{"pool 0 has a backend up", map[string]vpp.State{"a": vpp.StateDown, "b": vpp.StateUp, "c": vpp.StateUp}, 0},
		{"all down: pool 0", all(vpp.StateDown), 0},
		{"all disabled: pool 0", all(vpp.StateDisabled), 0},
		{"all paused: pool 0", all(vpp.StatePaused), 0},
		{"all unknown: pool 0", all(vpp.StateUnknown), 0},
		{"all up: pool 0", all(vpp.StateUp), 0},
		{"pool 0 down: pool 1", map[string]vpp.State{"a": vpp.StateDown, "b": vpp.StateDisabled, "c": vpp.StateUp, "d": vpp.StateUp}, 1},
		{"pools 0 and 1 down: pool 2", map[string]vpp.State{"a": vpp.StateDown, "b": vpp.StatePaused, "c": vpp.StateDown, "d": vpp.StateUp}, 2},
		{"pool 0 unknown (just enabled) does not win", map[string]vpp.State{"a": vpp.StateUnknown, "b": vpp.StateUnknown, "c": vpp.StateUp}, 1},
		{"an up backend of weight 0 does not make a pool active", map[string]vpp.State{"z": vpp.StateUp}, 0},
		{"only pool 2's weight-0 backend and nothing else up", map[string]vpp.State{"c": vpp.StateDown, "z": vpp.StateUp, "d": vpp.StateDown}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, vpp.ActivePool(pools, states(tt.states)))
		})
	}
}

func TestDesiredSet_ThreeTierFailoverAndDisabledKeepTheirEntry(t *testing.T) {
	f := vpp.Frontend{Name: "web", Pools: []vpp.Pool{
		{Name: "p0", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 50}}},
		{Name: "p1", Members: []vpp.Member{{Backend: "c", Weight: 100}}},
		{Name: "p2", Members: []vpp.Member{{Backend: "d", Weight: 10}}},
	}}
	at := func(last string, s vpp.State) vpp.BackendState {
		return vpp.BackendState{Address: netip.MustParseAddr("10.0.0." + last), State: s}
	}
	got := vpp.DesiredSet(f, vpp.Snapshot{"a": at("1", vpp.StateDisabled), "b": at("2", vpp.StateDown),
		"c": at("3", vpp.StateDown), "d": at("4", vpp.StateUp)})
	weights := map[string]uint8{}
	flushes := map[string]bool{}
	for _, d := range got {
		weights[d.Backend], flushes[d.Backend] = d.Weight, d.Flush
	}
	assert.Len(t, got, 4, "one entry per member, disabled ones included")
	assert.Equal(t, map[string]uint8{"a": 0, "b": 0, "c": 0, "d": 10}, weights)
	assert.Equal(t, map[string]bool{"a": true, "b": true, "c": true, "d": false}, flushes)
	assert.Equal(t, netip.MustParseAddr("10.0.0.3"), got[2].Address)
}
