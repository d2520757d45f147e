package volthatest_test

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

// A core pod restarts with a new IP: the cluster shows it at its new address, and the core
// answers there only, over VOLTHA's core API.
func Example() {
	ctx := context.Background()
	cluster, cores := volthatest.NewCluster("voltha"), &volthatest.Cores{}
	defer cores.Close()
	_ = cluster.Start(ctx, "rw-core1-0", "n1", "10.0.0.1")
	cores.Set("rw-core1-0", "10.0.0.1:50057", "olt-1")

	_ = cluster.Restart(ctx, "rw-core1-0", "10.0.0.11")
	cores.Move("rw-core1-0", "10.0.0.11:50057")
	pod, _ := cluster.Pods().Get(ctx, "rw-core1-0", metav1.GetOptions{})
	fmt.Println(pod.Name, pod.Status.PodIP, pod.Status.Phase, pod.ResourceVersion)

	api := voltha.NewCoreAPI(cores.DialOption())
	for _, addr := range []string{"10.0.0.1:50057", "10.0.0.11:50057"} {
		devs, err := api.Devices(ctx, voltha.Pod{Name: "rw-core1-0", Addr: addr})
		fmt.Println(addr, devs, err != nil)
	}
	// Output:
	// rw-core1-0 10.0.0.11 Running 5
	// 10.0.0.1:50057 [] true
	// 10.0.0.11:50057 [olt-1] false
}

// A router on loopback, killed and started again on the same address: it starts empty.
// It needs the network, so it only compiles.
func ExampleStartRouter() {
	r, err := volthatest.StartRouter("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	addr := r.Addr()
	r.Stop()
	if r, err = volthatest.StartRouter(addr); err == nil {
		fmt.Println(len(r.Table().Connections))
		r.Stop()
	}
}
