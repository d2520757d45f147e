package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/steadfast-go/steadfast/examples/lbaas"
	"github.com/steadfast-go/steadfast/examples/watchk8s"
)

// cluster is N replicas in child processes (so that one can be killed or frozen as a real
// process is) against one embedded Engine and one lease, kept by this process: the Engine
// records which replica made each mutating call. A child is this program's executable again,
// with childEnv set.
type cluster struct {
	api  *lbaas.Server
	lb   string
	reps []*replica

	mu     sync.Mutex
	events []event
	wake   chan struct{} // closed and replaced at each event
	wg     sync.WaitGroup
	once   sync.Once // stop's
}

type replica struct {
	id    string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // closed when the process has exited
}

// event is a line a replica printed: LEADING or STOPPED, with the term's token.
type event struct {
	id, what string
	token    uint64
	detail   string
	at       time.Time
}

// startCluster serves the Engine (and, for an empty dsn, a loopback Kubernetes Lease API)
// until ctx ends, and starts n replicas of exe. Stop it with stop.
func startCluster(ctx context.Context, exe string, n int, dsn string, d time.Duration) (*cluster, error) {
	c := &cluster{api: lbaas.NewServer(lbaas.Faults{ProvisionDelay: 20 * time.Millisecond}, ""), wake: make(chan struct{})}
	engine, err := serve(ctx, c.api)
	if err != nil {
		return nil, err
	}
	if c.lb, err = c.api.Put(lbaas.Resource{Kind: lbaas.KindLoadBalancer, Name: "lb-replicas"}); err != nil {
		return nil, err
	}
	lease := "pg=" + dsn
	if dsn == "" {
		url, err := serve(ctx, watchk8s.NewLeases())
		if err != nil {
			return nil, err
		}
		lease = "k8s=" + url
	}
	for i := range n {
		cfg := replicaConfig{id: fmt.Sprintf("replica-%d", i+1), engine: engine, lb: c.lb, lease: lease, duration: d}
		if err := c.start(exe, cfg); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}

func (c *cluster) start(exe string, cfg replicaConfig) error {
	cmd := exec.Command(exe, cfg.args()...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	r := &replica{id: cfg.id, cmd: cmd, stdin: stdin, done: make(chan struct{})}
	c.reps = append(c.reps, r)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(r.done)
		c.read(out)
		_ = cmd.Wait()
	}()
	return nil
}

// read turns the replica's lines into events until its stdout closes.
func (c *cluster) read(out io.Reader) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) < 3 || (f[0] != "LEADING" && f[0] != "STOPPED") {
			continue
		}
		tok, _ := strconv.ParseUint(f[2], 10, 64)
		e := event{id: f[1], what: f[0], token: tok, at: time.Now()}
		if len(f) == 4 {
			e.detail = f[3]
		}
		c.mu.Lock()
		c.events = append(c.events, e)
		close(c.wake)
		c.wake = make(chan struct{})
		c.mu.Unlock()
	}
}

// waitEvent waits until an event after the first from events satisfies ok, and returns it.
func (c *cluster) waitEvent(ctx context.Context, from int, ok func(event) bool) (event, int, error) {
	for {
		c.mu.Lock()
		for i := from; i < len(c.events); i++ {
			if ok(c.events[i]) {
				e := c.events[i]
				c.mu.Unlock()
				return e, i + 1, nil
			}
		}
		from = len(c.events)
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return event{}, from, fmt.Errorf("%w: %w", errNoLeader, ctx.Err())
		case <-wake:
		}
	}
}

// waitLeader waits for a LEADING event, after the first from events, of a replica not in not.
func (c *cluster) waitLeader(ctx context.Context, from int, not ...string) (event, int, error) {
	return c.waitEvent(ctx, from, func(e event) bool {
		for _, id := range not {
			if e.id == id {
				return false
			}
		}
		return e.what == "LEADING"
	})
}

// waitCalls polls the Engine's record until n calls were carried out under token.
func (c *cluster) waitCalls(ctx context.Context, token uint64, n int) (first lbaas.Mutation, err error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		seen := 0
		for _, m := range c.api.Mutations() {
			if m.Token == token && !m.Refused {
				if seen == 0 {
					first = m
				}
				if seen++; seen >= n {
					return first, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return first, fmt.Errorf("%d calls with token %d, want %d: %w", seen, token, n, ctx.Err())
		case <-tick.C:
		}
	}
}

// drift turns one server of the service DeploymentError every period until ctx ends, so
// that whoever leads has work to do: destroy it and make it again.
func (c *cluster) drift(ctx context.Context, period time.Duration) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var servers []lbaas.Resource
			for _, r := range c.api.Resources() {
				if r.Kind == lbaas.KindServer && r.State == lbaas.StateDeployed {
					servers = append(servers, r)
				}
			}
			if len(servers) > 0 {
				_ = c.api.SetState(servers[n%len(servers)].Identifier, lbaas.StateDeploymentError)
			}
		}
	}()
}

func (c *cluster) replica(id string) *replica {
	for _, r := range c.reps {
		if r.id == id {
			return r
		}
	}
	return nil
}

// signal sends sig to replica id.
func (c *cluster) signal(id string, sig syscall.Signal) error {
	r := c.replica(id)
	if r == nil {
		return fmt.Errorf("no replica %q", id)
	}
	return r.cmd.Process.Signal(sig)
}

// stop ends every replica (SIGTERM: each releases the lease; SIGCONT first, for one frozen),
// and waits for them and the drift. Only its first call does so: a process waited for is not
// signalled again, as its pid may be another's by then.
func (c *cluster) stop() { c.once.Do(c.stopAll) }

func (c *cluster) stopAll() {
	for _, r := range c.reps {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		_ = r.stdin.Close()
	}
	for _, r := range c.reps {
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	}
	c.wg.Wait()
}

// leading returns the live replicas whose last event is LEADING.
func (c *cluster) leading() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	last := map[string]string{}
	for _, e := range c.events {
		last[e.id] = e.what
	}
	var ids []string
	for _, r := range c.reps {
		select {
		case <-r.done:
			continue // killed, or exited
		default:
		}
		if last[r.id] == "LEADING" {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// checkRecord checks the Engine's record of mutating calls for interleaving: among the calls
// carried out, tokens never go down, and each token is one replica's. It returns the terms in
// the order they made calls, as "replica-2/3 x12", and the number of calls refused.
func checkRecord(muts []lbaas.Mutation) (terms []string, refused int, err error) {
	var last uint64
	holders := map[uint64]string{}
	n := 0
	for i, m := range muts {
		if m.Refused {
			refused++
			continue
		}
		if h, ok := holders[m.Token]; ok && h != m.Holder {
			return nil, refused, fmt.Errorf("call %d (%s): token %d used by %s and %s", i, m.Call, m.Token, h, m.Holder)
		}
		holders[m.Token] = m.Holder
		if m.Token < last {
			return nil, refused, fmt.Errorf("call %d (%s) by %s with token %d after a call with token %d", i, m.Call, m.Holder, m.Token, last)
		}
		if m.Token != last && n > 0 {
			terms = append(terms, fmt.Sprintf("%s/%d x%d", holders[last], last, n))
			n = 0
		}
		last = m.Token
		n++
	}
	if n > 0 {
		terms = append(terms, fmt.Sprintf("%s/%d x%d", holders[last], last, n))
	}
	return terms, refused, nil
}
