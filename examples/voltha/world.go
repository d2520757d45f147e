package voltha

import (
	"maps"
	"slices"
	"sync"
)

// world is what the daemon knows of the cluster: the running cores (from the pod watch) and
// the devices each holds (from core queries and discovery). The watch handlers write it; the
// session reads it. It outlives sessions: a new session starts over from the router's side,
// not from the cluster's. It is safe for concurrent use.
type world struct {
	mu      sync.Mutex
	pods    map[string]Pod
	devices map[string]map[string]bool // core name -> devices it holds
	known   map[string]string          // core name -> the address its devices were queried at
	// changed is signalled after every write. Buffered by one and sent to without blocking,
	// it coalesces bursts: the session recomputes everything from the latest state anyway.
	changed chan struct{}
}

func newWorld() *world {
	return &world{pods: map[string]Pod{}, devices: map[string]map[string]bool{},
		known: map[string]string{}, changed: make(chan struct{}, 1)}
}

func (w *world) signal() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// setPod records a running (or not yet running) core. A core at a new address is a restarted
// core: what it held is forgotten until it is queried again.
func (w *world) setPod(p Pod) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.pods[p.Name]; ok && old == p {
		return
	}
	if w.known[p.Name] != p.Addr {
		delete(w.known, p.Name)
		delete(w.devices, p.Name)
	}
	w.pods[p.Name] = p
	w.signal()
}

// deletePod forgets a core and what it held.
func (w *world) deletePod(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.pods[name]; !ok {
		return
	}
	delete(w.pods, name)
	delete(w.known, name)
	delete(w.devices, name)
	w.signal()
}

// discover records that core holds device.
func (w *world) discover(device, core string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.devices[core][device] {
		return
	}
	if w.devices[core] == nil {
		w.devices[core] = map[string]bool{}
	}
	w.devices[core][device] = true
	w.signal()
}

// queried records the devices a core answered with at addr, unless the core moved meanwhile.
func (w *world) queried(p Pod, devices []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pods[p.Name].Addr != p.Addr {
		return
	}
	w.known[p.Name] = p.Addr
	if w.devices[p.Name] == nil {
		w.devices[p.Name] = map[string]bool{}
	}
	for _, d := range devices {
		w.devices[p.Name][d] = true
	}
}

// snapshot returns the running cores, the devices each holds, and the read-write cores whose
// devices are not known yet (to query).
func (w *world) snapshot() (pods []Pod, devices map[string][]string, unknown []Pod) {
	w.mu.Lock()
	defer w.mu.Unlock()
	devices = map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(w.pods)) {
		p := w.pods[name]
		pods = append(pods, p)
		if p.Role == RoleRW && p.Addr != "" && w.known[name] != p.Addr {
			unknown = append(unknown, p)
		}
		if len(w.devices[name]) > 0 {
			devices[name] = slices.Sorted(maps.Keys(w.devices[name]))
		}
	}
	return pods, devices, unknown
}
