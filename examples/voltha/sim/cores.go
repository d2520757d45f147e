package sim

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/steadfast-go/steadfast/examples/voltha"
)

// Cores is a set of in-process cores, each at an address and holding devices. Its Devices
// method is a [voltha.Cores]. The zero Cores holds no core and is ready to use.
type Cores struct {
	mu    sync.Mutex
	cores map[string]*core
	calls int
}

type core struct {
	addr    string
	devices []string
	err     error // returned by every query while set
	hang    bool  // queries block until their context ends
}

// Set places the core name at addr, holding devices (replacing what it held).
func (c *Cores) Set(name, addr string, devices ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cores == nil {
		c.cores = map[string]*core{}
	}
	c.cores[name] = &core{addr: addr, devices: slices.Clone(devices)}
}

// Move places the core name at a new address, keeping its devices (a restarted core reloads
// them from its store).
func (c *Cores) Move(name, addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		k.addr = addr
	}
}

// AddDevice makes the core name hold device too.
func (c *Cores) AddDevice(name, device string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		k.devices = append(k.devices, device)
	}
}

// Fail makes every query of the core name fail with err; a nil err makes it answer again.
func (c *Cores) Fail(name string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		k.err, k.hang = err, false
	}
}

// Hang makes every query of the core name block until its context ends.
func (c *Cores) Hang(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.cores[name]; k != nil {
		k.hang = true
	}
}

// Calls returns how many queries were made.
func (c *Cores) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Devices answers a query: the devices of the core named p.Name if it is at p.Addr.
func (c *Cores) Devices(ctx context.Context, p voltha.Pod) ([]string, error) {
	c.mu.Lock()
	c.calls++
	k := c.cores[p.Name]
	var (
		hang bool
		err  error
		devs []string
	)
	switch {
	case k == nil || k.addr != p.Addr:
		err = fmt.Errorf("sim: no core %s at %s", p.Name, p.Addr)
	default:
		hang, err, devs = k.hang, k.err, slices.Clone(k.devices)
	}
	c.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}
	return devs, err
}
