package vpp_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/steadfast-go/steadfast/examples/vpp"
)

// The weight rule's truth table, printed from the function itself.
func ExampleEffectiveWeight() {
	for _, s := range vpp.States {
		for _, active := range []bool{true, false} {
			w, flush := vpp.EffectiveWeight(s, active, 100)
			fmt.Printf("%-8v active=%-5v -> weight %3d flush=%v\n", s, active, w, flush)
		}
	}
	// Output:
	// unknown  active=true  -> weight   0 flush=false
	// unknown  active=false -> weight   0 flush=false
	// up       active=true  -> weight 100 flush=false
	// up       active=false -> weight   0 flush=false
	// down     active=true  -> weight   0 flush=true
	// down     active=false -> weight   0 flush=true
	// disabled active=true  -> weight   0 flush=true
	// disabled active=false -> weight   0 flush=true
	// paused   active=true  -> weight   0 flush=false
	// paused   active=false -> weight   0 flush=false
}

// Priority failover: the first pool with a backend up is active.
func ExampleActivePool() {
	pools := []vpp.Pool{
		{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 100}}},
		{Name: "secondary", Members: []vpp.Member{{Backend: "c", Weight: 100}}},
	}
	state := map[string]vpp.State{"a": vpp.StateDown, "b": vpp.StateDisabled, "c": vpp.StateUp}
	fmt.Println(pools[vpp.ActivePool(pools, func(n string) vpp.State { return state[n] })].Name)
	state["a"] = vpp.StateUp
	fmt.Println(pools[vpp.ActivePool(pools, func(n string) vpp.State { return state[n] })].Name)
	// Output:
	// secondary
	// primary
}

// Plan applies only the difference: here one backend went down (a flush on its way to 0) and
// an entry someone added by hand is removed.
func ExamplePlan() {
	v := vpp.VIP{Prefix: netip.MustParsePrefix("192.0.2.1/32"), Protocol: vpp.TCP, Port: 80}
	params := vpp.VIPParams{Encap: vpp.EncapGRE4, NewFlowsTableLength: 1024}
	have := &vpp.VIPEntry{VIP: v, Params: params, ASs: []vpp.AS{
		{Address: netip.MustParseAddr("10.0.0.1"), Weight: 100},
		{Address: netip.MustParseAddr("10.0.0.2"), Weight: 100},
		{Address: netip.MustParseAddr("10.0.0.9"), Weight: 5},
	}}
	want := []vpp.Desired{
		{Address: netip.MustParseAddr("10.0.0.1"), Weight: 100},
		{Address: netip.MustParseAddr("10.0.0.2"), Weight: 0, Flush: true},
	}
	for _, op := range vpp.Plan(v, params, have, want, func(netip.Addr) bool { return false }) {
		fmt.Println(op)
	}
	// Output:
	// del_as 192.0.2.1/32 tcp/80 10.0.0.9 flush
	// set_weight 192.0.2.1/32 tcp/80 10.0.0.2 weight 0 flush
}

// A VIP's parameters are fixed while it exists: a VIP found with another encap is deleted and
// created again, its servers with it.
func ExamplePlan_otherEncap() {
	v := vpp.VIP{Prefix: netip.MustParsePrefix("192.0.2.1/32"), Protocol: vpp.TCP, Port: 80}
	a := netip.MustParseAddr("10.0.0.1")
	have := &vpp.VIPEntry{VIP: v, Params: vpp.VIPParams{Encap: vpp.EncapGRE4, NewFlowsTableLength: 1024},
		ASs: []vpp.AS{{Address: a, Weight: 100}}}
	l3dsr := vpp.VIPParams{Encap: vpp.EncapL3DSR, DSCP: 10, NewFlowsTableLength: 1024}
	for _, op := range vpp.Plan(v, l3dsr, have, []vpp.Desired{{Address: a, Weight: 100}}, func(netip.Addr) bool { return false }) {
		fmt.Println(op)
	}
	// Output:
	// del_as 192.0.2.1/32 tcp/80 10.0.0.1 flush
	// del_vip 192.0.2.1/32 tcp/80
	// add_vip 192.0.2.1/32 tcp/80 encap l3dsr dscp 10 new_len 1024
	// add_as 192.0.2.1/32 tcp/80 10.0.0.1 weight 100
}

// A frontend's operator view, as the endpoint's text form shows it: b is down, and the
// dataplane has no entry for it yet.
func ExampleWriteView() {
	f := vpp.Frontend{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80,
		Pools: []vpp.Pool{{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}, {Backend: "b", Weight: 50}}}}}
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	snap := vpp.Snapshot{
		"a": {Address: netip.MustParseAddr("10.0.0.1"), State: vpp.StateUp, Since: since},
		"b": {Address: netip.MustParseAddr("10.0.0.2"), State: vpp.StateDown, Since: since.Add(time.Second)},
	}
	held := &vpp.VIPEntry{VIP: f.Key(), ASs: []vpp.AS{{Address: netip.MustParseAddr("10.0.0.1"), Weight: 100}}}
	_ = vpp.WriteView(os.Stdout, []vpp.FrontendView{vpp.ViewOf(f, snap, held)})
	// Output:
	// frontend web: 192.0.2.1 tcp/80 encap gre4 new_len 1024, active pool primary
	//   backend  pool     configured  effective  dataplane  state  since
	//   a        primary  100         100        100        up     2026-01-02T03:04:05.000Z
	//   b        primary  50          0          -          down   2026-01-02T03:04:06.000Z
}

// The controller over the in-memory dataplane: Run blocks, so it gets its own goroutine, and
// the operator calls go through its checker. (Compile-only: its goroutines keep their own time.)
func ExampleController() {
	cfg := vpp.Config{
		Backends: []vpp.Backend{{Name: "a", Address: netip.MustParseAddr("10.0.0.1")}}, // static
		Frontends: []vpp.Frontend{{Name: "web", VIP: netip.MustParseAddr("192.0.2.1"), Protocol: vpp.TCP, Port: 80,
			Pools: []vpp.Pool{{Name: "primary", Members: []vpp.Member{{Backend: "a", Weight: 100}}}}}},
	}
	mem := vpp.NewMemDataplane()
	ctl, err := vpp.New(cfg, mem.Dial)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctl.Run(ctx) }()
	_ = ctl.Checker().Disable("a") // its entry stays, at weight 0
	cancel()
	fmt.Println(<-done)
}
