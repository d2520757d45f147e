package voltha_test

import (
	"fmt"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// Two read-write cores of group 1 and a read-only core: the table, then the calls that
// re-point the slot of a core that came back with a new IP, and the requests the first of
// them makes on the wire.
func ExampleLayout_Assign() {
	layout := voltha.Layout{Names: voltha.DefaultNames, RWCores: 2, ROCores: 1}
	pods := []voltha.Pod{
		{Name: "rw-core1-0", Addr: "10.0.0.1:50057", Node: "n1", Role: voltha.RoleRW, Group: "1"},
		{Name: "rw-core1-1", Addr: "10.0.0.2:50057", Node: "n2", Role: voltha.RoleRW, Group: "1"},
		{Name: "ro-core-0", Addr: "10.0.9.1:50057", Node: "n1", Role: voltha.RoleRO},
	}
	devices := map[string][]string{"rw-core1-0": {"olt-1", "olt-2"}, "rw-core1-1": {"olt-1"}}
	before, _ := layout.Assign(pods, devices, voltha.Table{})
	fmt.Print(before)

	pods[0].Addr = "10.0.0.11:50057" // rw-core1-0 restarted, and holds nothing yet
	after, _ := layout.Assign(pods, map[string][]string{"rw-core1-1": {"olt-1"}}, before)
	fmt.Println("after the restart:")
	for _, c := range voltha.Diff(before, after).Connections {
		req, _ := voltha.DefaultNames.ConnRequest(c)
		fmt.Printf("set %s -> %s: server %s cluster %s backend %s connection %s addr %s port %d\n", c.Name, c.Addr,
			req.GetServer(), req.GetCluster(), req.GetBackend(), req.GetConnection(), req.GetAddr(), req.GetPort())
	}
	fmt.Println(len(after.Affinities), "affinities kept")
	// Output:
	// conn ro_vcore/ro_vcore1/ro_vcore11 -> 10.0.9.1:50057
	// conn vcore/vcore1/vcore11 -> 10.0.0.1:50057
	// conn vcore/vcore1/vcore12 -> 10.0.0.2:50057
	// affinity olt-1 -> vcore1
	// affinity olt-2 -> vcore1
	// after the restart:
	// set vcore11 -> 10.0.0.11:50057: server grpc_command cluster vcore backend vcore1 connection vcore11 addr 10.0.0.11 port 50057
	// 2 affinities kept
}
