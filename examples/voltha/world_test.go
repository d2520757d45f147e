package voltha

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWhatACoreIsTakenToHold(t *testing.T) {
	core := Pod{Name: "rw-core1-0", Addr: "10.0.0.1:50057", Node: "n1", Role: RoleRW}
	moved := core
	moved.Addr = "10.0.0.9:50057"
	tests := []struct {
		name    string
		steps   func(w *world)
		devices []string
		unknown bool // still to be queried
	}{
		{name: "a new core is to be queried", steps: func(w *world) { w.setPod(core) }, unknown: true},
		{name: "a core holds what it answered", devices: []string{"olt-1"},
			steps: func(w *world) { w.setPod(core); w.queried(core, []string{"olt-1"}) }},
		{name: "an answer for an address the core left is ignored", unknown: true,
			steps: func(w *world) { w.setPod(core); w.setPod(moved); w.queried(core, []string{"olt-1"}) }},
		{name: "a restarted core holds what it answered before until it answers again", unknown: true,
			devices: []string{"olt-1"},
			steps: func(w *world) {
				w.setPod(core)
				w.queried(core, []string{"olt-1"})
				w.deletePod(core.Name)
				w.setPod(Pod{Name: core.Name, Node: core.Node, Role: RoleRW})
				w.setPod(moved)
			}},
		{name: "a later answer replaces the earlier one", devices: []string{"olt-2"},
			steps: func(w *world) {
				w.setPod(core)
				w.queried(core, []string{"olt-1"})
				w.setPod(moved)
				w.queried(moved, []string{"olt-2"})
			}},
		{name: "a discovered device is kept when an answer does not list it yet", devices: []string{"olt-1", "olt-9"},
			steps: func(w *world) { w.setPod(core); w.discover("olt-9", core.Name); w.queried(core, []string{"olt-1"}) }},
		{name: "a discovery made before the pod was seen counts", devices: []string{"olt-9"}, unknown: true,
			steps: func(w *world) { w.discover("olt-9", core.Name); w.setPod(core) }},
		{name: "what a core discovered is kept when it restarts at a new address", unknown: true, devices: []string{"olt-9"},
			steps: func(w *world) { w.setPod(core); w.discover("olt-9", core.Name); w.setPod(moved) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			tt.steps(w)
			_, devices, unknown := w.snapshot()
			assert.Equal(t, tt.devices, devices[core.Name], "devices")
			assert.Equal(t, tt.unknown, len(unknown) == 1, "to be queried: %v", unknown)
		})
	}
}

func TestOnlyARestartedReadWriteCoreThatAnsweredAtItsNewAddressIsToBeHandedItsDevices(t *testing.T) {
	core := Pod{Name: "rw-core1-0", Addr: "10.0.0.1:50057", Node: "n1", Role: RoleRW, Group: "1"}
	moved := core
	moved.Addr = "10.0.0.9:50057"
	w := newWorld()
	w.setPod(core)
	w.queried(core, []string{"olt-1"})
	assert.Empty(t, w.handBacks(), "a core seen for the first time")
	w.deletePod(core.Name)
	w.setPod(Pod{Name: core.Name, Node: core.Node, Role: RoleRW, Group: "1"}) // pending, no address
	w.setPod(moved)
	assert.Empty(t, w.handBacks(), "not before it answered at its new address")
	w.queried(moved, nil)
	assert.Equal(t, map[Pod][]string{moved: nil}, w.handBacks())
	w.handedBack(moved, true)
	assert.Empty(t, w.handBacks(), "once")
	_, _, unknown := w.snapshot()
	assert.Equal(t, []Pod{moved}, unknown, "handed devices, it is queried again")

	ro := Pod{Name: "ro-core-0", Addr: "10.0.9.1:50057", Role: RoleRO}
	w.setPod(ro)
	ro.Addr = "10.0.9.2:50057"
	w.setPod(ro)
	assert.Empty(t, w.handBacks(), "a read-only core holds no devices")
}
