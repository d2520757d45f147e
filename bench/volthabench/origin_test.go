package volthabench

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/steadfast-go/steadfast/examples/voltha/afrouterpb"
	"github.com/steadfast-go/steadfast/examples/voltha/corepb"
	"github.com/steadfast-go/steadfast/examples/voltha/volthatest"
)

// The origin's constants (arouterd): its period, the cores' gRPC port, the names of its
// configuration and the filters that tell the cores by pod name.
const (
	originPeriod = 10 * time.Second
	originPort   = 50057
)

var (
	originRW = regexp.MustCompile(`rw-core[0-9]-`)
	originRO = regexp.MustCompile(`ro-core-`)
)

// originPod is what the origin knows of a core pod.
type originPod struct {
	name, ip, node      string
	devices             map[string]bool
	backend, connection string
}

// origin is the anchor: the origin's daemon (VOLTHA's arouterd), written fresh from its public
// description, on the benchmark's world. At start it lists the cores, asks each read-write core
// for its devices, pairs the read-write cores whose devices intersect on different nodes into
// backends, and sets every affinity and every connection. Then, every originPeriod (a sleep
// before each pass), it lists the cores, asks each read-write core for its devices again and,
// when as many cores as the layout counts run and one of them has an address the router was
// not given, re-points only the slots whose address is gone (applyAddrDiffs): the new core goes
// to the slot of the old one on its node, is handed the devices of its peer in the backend
// (ReconcileDevices), and one SetConnection is sent for that slot. The read-only cores are
// checked the same way. What is left out: the pairing of cores that hold no device (every core
// of this world holds some), device discovery over Kafka, and the retries of its dial loop.
type origin struct {
	cluster *volthatest.Cluster
	cores   *volthatest.Cores
	router  afrouterpb.ConfigurationClient
	rw      int // the cores the layout counts (the origin's NUM_RW_PODS, NUM_RO_PODS)
	ro      int

	groups [][]*originPod
	roPods []*originPod
	sleeps chan time.Time // when each sleep of the loop starts, for the benchmark's phase
}

// run configures the router and then polls until ctx ends.
func (o *origin) run(ctx context.Context, routerAddr string) error {
	cc, err := grpc.NewClient("passthrough:///"+routerAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	o.router = afrouterpb.NewConfigurationClient(cc)
	if err := o.start(ctx); err != nil {
		return err
	}
	for {
		select {
		case o.sleeps <- time.Now():
		default:
		}
		t := time.NewTimer(originPeriod)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		o.pass(ctx)
	}
}

// start is the origin's main before its loop.
func (o *origin) start(ctx context.Context) error {
	rw, err := o.pods(ctx, originRW)
	if err != nil {
		return err
	}
	o.queryDevices(ctx, rw)
	o.groups = pairByDevices(rw, o.rw/2)
	for k, g := range o.groups {
		for k1, p := range g {
			p.backend = "vcore" + strconv.Itoa(k+1)
			p.connection = p.backend + strconv.Itoa(k1+1)
		}
	}
	for _, g := range o.groups {
		for _, p := range g {
			for d := range p.devices {
				_, _ = o.router.SetAffinity(ctx, &afrouterpb.Affinity{Router: "vcore", Route: "dev_manager",
					Cluster: "vcore", Backend: p.backend, Id: d})
			}
		}
	}
	for _, g := range o.groups {
		for _, p := range g {
			o.setConnection(ctx, "vcore", p)
		}
	}
	if o.roPods, err = o.pods(ctx, originRO); err != nil {
		return err
	}
	for k, p := range o.roPods {
		p.backend = "ro_vcore" + strconv.Itoa(k+1)
		p.connection = p.backend + "1"
		o.setConnection(ctx, "ro_vcore", p)
	}
	return nil
}

// pass is one pass of the origin's loop.
func (o *origin) pass(ctx context.Context) {
	rw, err := o.pods(ctx, originRW)
	if err != nil {
		return
	}
	o.queryDevices(ctx, rw)
	byName := map[string]*originPod{}
	for _, p := range rw {
		byName[p.name] = p
	}
	for _, g := range o.groups {
		for _, p := range g {
			if n, ok := byName[p.name]; ok {
				p.devices = n.devices
			}
		}
	}
	if len(rw) != o.rw {
		return
	}
	if o.anyNewRW(rw) {
		o.applyRW(ctx, rw)
	}
	ro, err := o.pods(ctx, originRO)
	if err != nil || len(ro) != o.ro {
		return
	}
	o.applyRO(ctx, ro)
}

func (o *origin) anyNewRW(rw []*originPod) bool {
	for _, p := range rw {
		if !o.hasRW(p.ip) {
			return true
		}
	}
	return false
}

func (o *origin) hasRW(ip string) bool {
	for _, g := range o.groups {
		for _, p := range g {
			if p.ip == ip {
				return true
			}
		}
	}
	return false
}

// applyRW re-points the read-write slots whose address no running core has, each to a new
// core on the same node.
func (o *origin) applyRW(ctx context.Context, rw []*originPod) {
	running := map[string]bool{}
	byNode := map[string][]*originPod{} // new cores, by node
	for _, p := range rw {
		running[p.ip] = true
		if !o.hasRW(p.ip) {
			byNode[p.node] = append(byNode[p.node], p)
		}
	}
	for _, g := range o.groups {
		for k, slot := range g {
			if running[slot.ip] || len(byNode[slot.node]) == 0 {
				continue
			}
			n := byNode[slot.node][0]
			byNode[slot.node] = byNode[slot.node][1:]
			var ids map[string]bool
			if len(g) == 2 {
				if ids = o.deviceIDs(ctx, g[k^1]); len(ids) > 0 {
					o.reconcile(ctx, n, ids)
				}
			}
			o.setConnection(ctx, "vcore", &originPod{backend: slot.backend, connection: slot.connection, ip: n.ip})
			slot.ip, slot.name, slot.devices = n.ip, n.name, ids
		}
	}
}

// applyRO gives the read-only slots whose address is gone the new cores' addresses.
func (o *origin) applyRO(ctx context.Context, ro []*originPod) {
	has := func(list []*originPod, ip string) bool {
		for _, p := range list {
			if p.ip == ip {
				return true
			}
		}
		return false
	}
	var missing []*originPod
	for _, p := range o.roPods {
		if !has(ro, p.ip) {
			missing = append(missing, p)
		}
	}
	for _, p := range ro {
		if has(o.roPods, p.ip) || len(missing) == 0 {
			continue
		}
		missing[0].ip, missing[0].name = p.ip, p.name
		o.setConnection(ctx, "ro_vcore", missing[0])
		missing = missing[1:]
	}
}

func (o *origin) setConnection(ctx context.Context, cluster string, p *originPod) {
	_, _ = o.router.SetConnection(ctx, &afrouterpb.Conn{Server: "grpc_command", Cluster: cluster,
		Backend: p.backend, Connection: p.connection, Addr: p.ip, Port: originPort})
}

// pods lists the running core pods whose name matches filter and that have an address.
func (o *origin) pods(ctx context.Context, filter *regexp.Regexp) ([]*originPod, error) {
	list, err := o.cluster.Pods().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []*originPod
	for _, p := range list.Items {
		if filter.MatchString(p.Name) && p.Status.PodIP != "" {
			out = append(out, &originPod{name: p.Name, ip: p.Status.PodIP, node: p.Spec.NodeName,
				devices: map[string]bool{}})
		}
	}
	return out, nil
}

// queryDevices asks each core for its devices, keeping what it had when the answer is empty.
func (o *origin) queryDevices(ctx context.Context, pods []*originPod) {
	for _, p := range pods {
		if ids := o.deviceIDs(ctx, p); len(ids) > 0 {
			p.devices = ids
		}
	}
}

// deviceIDs asks one core for its devices over a connection of its own, as the origin does.
func (o *origin) deviceIDs(ctx context.Context, p *originPod) map[string]bool {
	out := map[string]bool{}
	_ = o.core(p, func(c corepb.VolthaServiceClient) error {
		ids, err := c.ListDeviceIds(ctx, &emptypb.Empty{})
		for _, id := range ids.GetItems() {
			out[id.GetId()] = true
		}
		return err
	})
	return out
}

func (o *origin) reconcile(ctx context.Context, p *originPod, ids map[string]bool) {
	list := &corepb.IDs{}
	for id := range ids {
		list.Items = append(list.Items, &corepb.ID{Id: id})
	}
	_ = o.core(p, func(c corepb.VolthaServiceClient) error {
		_, err := c.ReconcileDevices(ctx, list)
		return err
	})
}

func (o *origin) core(p *originPod, fn func(corepb.VolthaServiceClient) error) error {
	cc, err := grpc.NewClient("passthrough:///"+p.ip+":"+strconv.Itoa(originPort),
		grpc.WithTransportCredentials(insecure.NewCredentials()), o.cores.DialOption())
	if err != nil {
		return err
	}
	defer cc.Close()
	return fn(corepb.NewVolthaServiceClient(cc))
}

// pairByDevices is the origin's first grouping pass: each core with devices starts a group
// and takes as its peer the first remaining core on another node whose devices intersect its
// own, until there are want groups.
func pairByDevices(pods []*originPod, want int) [][]*originPod {
	var groups [][]*originPod
	rest := append([]*originPod(nil), pods...)
	for len(rest) > 0 && len(groups) < want {
		first := rest[0]
		rest = rest[1:]
		if len(first.devices) == 0 {
			continue
		}
		g := []*originPod{first}
		for i, p := range rest {
			if p.node != first.node && intersect(first.devices, p.devices) {
				g = append(g, p)
				rest = append(rest[:i], rest[i+1:]...)
				break
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func intersect(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}
