package voltha

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// handle is the watcher's handler: it records what the event says in the world and returns at
// once, with no I/O, so a slow core or router never holds the watch back. The session reads the
// world and does the rest.
func (d *Daemon) handle(_ context.Context, resource string, ev apiwatch.Event) error {
	switch resource {
	case ResourcePods:
		d.handlePod(ev)
	case ResourceDiscovery:
		d.handleDiscovery(ev)
	}
	return nil
}

// handlePod records a core pod: running (with its address), not running (no address: left out
// of the table until it runs again) or gone. Objects that are not pods are skipped.
func (d *Daemon) handlePod(ev apiwatch.Event) {
	if ev.Type == apiwatch.Deleted {
		if m, err := meta.Accessor(ev.Object); err == nil {
			d.world.deletePod(m.GetName())
		}
		return
	}
	pod, ok := ev.Object.(*corev1.Pod)
	if !ok {
		d.cfg.log.Warn("skipping an object that is not a pod", "type", ev.Type)
		return
	}
	if p, ok := corePod(pod, d.cfg.classify, d.cfg.corePort); ok {
		d.world.setPod(p)
	}
}

// handleDiscovery records that a core found a device.
func (d *Daemon) handleDiscovery(ev apiwatch.Event) {
	dd, ok := ev.Object.(*DeviceDiscovered)
	if !ok || ev.Type == apiwatch.Deleted {
		return
	}
	d.metrics.discoveries.Inc()
	d.cfg.log.Info("device discovered", "device", dd.Name, "core", dd.Core)
	d.world.discover(dd.Name, dd.Core)
}
