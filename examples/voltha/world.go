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
	mu    sync.Mutex
	pods  map[string]Pod
	held  map[string]map[string]bool // core name -> devices it answered a query with
	found map[string]map[string]bool // core name -> devices it discovered at its address
	known map[string]string          // core name -> the address its devices were queried at
	last  map[string]string          // core name -> the last address it ran at, kept when deleted
	moved map[string]string          // core name -> the new address of a restarted core, until handed back
	// notify is called, with mu held, after every write: it adds the session's one key to its
	// queue, which coalesces bursts (the session recomputes everything from the latest state
	// anyway). Nil between sessions.
	notify func()
}

func newWorld() *world {
	return &world{pods: map[string]Pod{}, held: map[string]map[string]bool{}, found: map[string]map[string]bool{},
		known: map[string]string{}, last: map[string]string{}, moved: map[string]string{}}
}

// follow makes every later write call notify (nil: nothing).
func (w *world) follow(notify func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notify = notify
}

func (w *world) signal() {
	if w.notify != nil {
		w.notify()
	}
}

// setPod records a running (or not yet running) core. A core at a new address is a restarted
// core: it is queried again, and until it answers it is taken to hold what it answered and
// discovered before, as a restarted core reloads its devices from its store; it is handed its
// devices back once it answered (see handBacks).
func (w *world) setPod(p Pod) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.pods[p.Name]; ok && old == p {
		return
	}
	if last := w.last[p.Name]; p.Addr != "" && last != p.Addr {
		if last != "" && p.Role == RoleRW {
			w.moved[p.Name] = p.Addr
		}
		w.last[p.Name] = p.Addr
	}
	if w.known[p.Name] != p.Addr {
		delete(w.known, p.Name)
	}
	w.pods[p.Name] = p
	w.signal()
}

// deletePod forgets a core, but not what it held: a pod deleted and created again under the
// same name (a StatefulSet restarting it) holds the same devices. Only running cores count in
// the table, so what a core that is gone for good held is kept but not used.
func (w *world) deletePod(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.pods[name]; !ok {
		return
	}
	delete(w.pods, name)
	delete(w.known, name)
	w.signal()
}

// discover records that core holds device. It is kept even if a query answered meanwhile does
// not list it yet, and when the core restarts.
func (w *world) discover(device, core string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.found[core][device] {
		return
	}
	if w.found[core] == nil {
		w.found[core] = map[string]bool{}
	}
	w.found[core][device] = true
	w.signal()
}

// queried records the devices a core answered with at addr, unless the core moved meanwhile:
// they replace what it answered before.
func (w *world) queried(p Pod, devices []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pods[p.Name].Addr != p.Addr {
		return
	}
	w.known[p.Name] = p.Addr
	w.held[p.Name] = map[string]bool{}
	for _, d := range devices {
		w.held[p.Name][d] = true
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
		if all := slices.Concat(slices.Collect(maps.Keys(w.held[name])), slices.Collect(maps.Keys(w.found[name]))); len(all) > 0 {
			slices.Sort(all)
			devices[name] = slices.Compact(all)
		}
	}
	return pods, devices, unknown
}

// handBacks returns the restarted read-write cores that answered a query at their new
// address, with what they answered: the cores to hand their devices back to.
func (w *world) handBacks() map[Pod][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[Pod][]string{}
	for name, addr := range w.moved {
		if p := w.pods[name]; p.Addr == addr && w.known[name] == addr {
			out[p] = slices.Sorted(maps.Keys(w.held[name]))
		}
	}
	return out
}

// handedBack records that core p, restarted, needs nothing more handed back at its address;
// if requery, it was handed devices and is queried again, to learn what it holds now.
func (w *world) handedBack(p Pod, requery bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.moved[p.Name] == p.Addr {
		delete(w.moved, p.Name)
	}
	if requery && w.known[p.Name] == p.Addr {
		delete(w.known, p.Name)
		w.signal()
	}
}
