package voltha_test

import (
	"fmt"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// Two read-write cores of one group and a read-only core: the table, then the calls that
// re-point the slot of a core that came back with a new IP.
func ExampleAssign() {
	pods := []voltha.Pod{
		{Name: "rw-core1-0", Addr: "10.0.0.1:50057", Node: "n1", Role: voltha.RoleRW},
		{Name: "rw-core1-1", Addr: "10.0.0.2:50057", Node: "n2", Role: voltha.RoleRW},
		{Name: "ro-core-0", Addr: "10.0.9.1:50057", Node: "n1", Role: voltha.RoleRO},
	}
	devices := map[string][]string{"rw-core1-0": {"olt-1", "olt-2"}, "rw-core1-1": {"olt-1"}}
	before, _ := voltha.Assign(pods, devices, voltha.Table{})
	fmt.Print(before)

	pods[0].Addr = "10.0.0.11:50057" // rw-core1-0 restarted
	after, _ := voltha.Assign(pods, devices, before)
	fmt.Println("after the restart:")
	for _, c := range voltha.Diff(before, after).Connections {
		fmt.Printf("set %s -> %s\n", c.Name, c.Addr)
	}
	// Output:
	// conn ro_vcore/ro-core/ro-core.1 -> 10.0.9.1:50057
	// conn vcore/rw-core1/rw-core1.1 -> 10.0.0.1:50057
	// conn vcore/rw-core1/rw-core1.2 -> 10.0.0.2:50057
	// affinity olt-1 -> rw-core1
	// affinity olt-2 -> rw-core1
	// after the restart:
	// set rw-core1.1 -> 10.0.0.11:50057
}
