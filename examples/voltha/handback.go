package voltha

import (
	"context"
	"slices"
)

// handBack hands each restarted read-write core that answered at its new address the devices
// its backend has in table that it did not answer with, through the Reconciler the cores are
// (if they are one), each call under the query timeout; as the origin did when a core came
// back. A core handed devices is queried again. It returns how many calls failed; a failed
// one is made again after the query backoff.
func (d *Daemon) handBack(ctx context.Context, table Table) int {
	rec, ok := d.cores.(Reconciler)
	if !ok {
		return 0
	}
	failed := 0
	for core, answered := range d.world.handBacks() {
		devices := missing(table, d.cfg.layout.Names.RWCluster, core.Name, answered)
		if len(devices) == 0 {
			d.world.handedBack(core, false)
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, d.cfg.queryTimeout)
		err := rec.Reconcile(rctx, core, devices)
		cancel()
		if err != nil {
			failed++
			d.metrics.queryErrors.Inc()
			d.cfg.log.Warn("handing devices back failed", "core", core.Name, "addr", core.Addr, "err", err)
			continue
		}
		d.metrics.handBacks.Inc()
		d.cfg.log.Info("devices handed back", "core", core.Name, "addr", core.Addr, "devices", devices)
		d.world.handedBack(core, true)
	}
	return failed
}

// missing returns the devices routed to the backend whose slot core holds in table (of the
// read-write cluster) that are not in answered, sorted.
func missing(table Table, cluster, core string, answered []string) []string {
	i := slices.IndexFunc(table.Connections, func(c Connection) bool { return c.Cluster == cluster && c.Pod == core })
	if i < 0 {
		return nil
	}
	var out []string
	for _, a := range table.Affinities {
		if a.Backend == table.Connections[i].Backend && !slices.Contains(answered, a.Device) {
			out = append(out, a.Device)
		}
	}
	return out
}
