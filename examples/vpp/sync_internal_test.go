package vpp

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSync_TakesOneSnapshotOfTheFrontendsBackendsPerSync gives the sync path a state source in
// which the world moves on after every read: a's pool is primary, and a goes down after the
// first read. A plan made from one read keeps a at 100 (the moment a was up); reading again
// mid-plan would mix that moment with the next (a down, yet pool primary active, so c at 0,
// and nobody serving).
func TestSync_TakesOneSnapshotOfTheFrontendsBackendsPerSync(t *testing.T) {
	a, c := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.3")
	f := Frontend{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: TCP, Port: 80, Pools: []Pool{
		{Name: "primary", Members: []Member{{Backend: "a", Weight: 100}}},
		{Name: "secondary", Members: []Member{{Backend: "c", Weight: 100}}},
	}}
	worlds := []Snapshot{
		{"a": {Address: a, State: StateUp}, "c": {Address: c, State: StateUp}},
		{"a": {Address: a, State: StateDown}, "c": {Address: c, State: StateUp}},
	}
	var asked [][]string
	states := func(names ...string) Snapshot {
		asked = append(asked, names)
		return worlds[min(len(asked)-1, 1)]
	}
	s := &syncer{frontends: map[string]frontendInfo{"web": {f: f, members: []string{"a", "c"}}}, states: states,
		img: newImage(), log: slog.New(slog.DiscardHandler)}
	mem := NewMemDataplane()
	conn, err := mem.Dial(context.Background())
	require.NoError(t, err)
	s.dp = conn
	require.NoError(t, s.Sync(context.Background(), "web"))
	assert.Equal(t, [][]string{{"a", "c"}}, asked, "one snapshot, of the frontend's members only")
	e := Lookup(mem.Snapshot(), f.Key())
	require.NotNil(t, e)
	assert.Equal(t, []AS{{Address: a, Weight: 100}, {Address: c, Weight: 0}}, e.ASs, "the plan of the first moment")
}
