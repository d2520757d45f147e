package leasebench

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/examples/leader"
	"github.com/steadfast-go/steadfast/examples/watchk8s"
)

// The same settings on both sides: client-go's RetryPeriod is steadfast's renew interval
// (and, by default, its acquire interval).
const (
	leaseDuration = 2 * time.Second
	renewDeadline = 1500 * time.Millisecond
	retryPeriod   = 250 * time.Millisecond
	callEvery     = time.Millisecond // the leader's work: one mutating call per millisecond
)

// gate freezes a candidate: while it is closed, its lock calls and its worker wait, as in a
// process stopped by SIGSTOP, whatever their contexts say.
type gate struct {
	mu     sync.Mutex
	frozen chan struct{} // nil: open
}

func (g *gate) wait() {
	g.mu.Lock()
	ch := g.frozen
	g.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

func (g *gate) freeze() { g.mu.Lock(); g.frozen = make(chan struct{}); g.mu.Unlock() }

func (g *gate) thaw() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.frozen != nil {
		close(g.frozen)
		g.frozen = nil
	}
}

// call is one mutating call a leader made.
type call struct {
	id string
	at time.Time
}

// world is the Lease server and the record of calls the candidates make.
type world struct {
	leases *watchk8s.Leases
	cs     *kubernetes.Clientset
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []call
	lead   chan string // a candidate's worker started
	// expected is the candidate whose first call closes first; see expectCall.
	expected string
	first    chan struct{}
}

func newWorld(b *testing.B) *world {
	leases := watchk8s.NewLeases()
	srv := httptest.NewServer(leases)
	b.Cleanup(srv.Close)
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	return &world{leases: leases, cs: cs, srv: srv, lead: make(chan string, 16)}
}

// work is the leader's work: a mutating call every callEvery, each after a check of ctx, as
// connctx's doc asks of code whose calls do not read the context's deadline.
func (w *world) work(ctx context.Context, id string, g *gate) {
	w.lead <- id
	for {
		g.wait()
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		w.calls = append(w.calls, call{id, time.Now()})
		if id == w.expected && w.first != nil {
			close(w.first)
			w.first = nil
		}
		w.mu.Unlock()
		t := time.NewTimer(callEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// stale counts id's calls after the first call of another.
func (w *world) stale(id string) (n int, firstOther time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.calls {
		switch {
		case c.id != id && firstOther.IsZero():
			firstOther = c.at
		case c.id == id && !firstOther.IsZero():
			n++
		}
	}
	return n, firstOther
}

// holder is the lease's holder on the server now.
func (w *world) holder(name string) string {
	if l := w.leases.Lease("default", name); l != nil && l.Spec.HolderIdentity != nil {
		return *l.Spec.HolderIdentity
	}
	return ""
}

// expectCall forgets the calls recorded so far and returns a channel that is closed when id
// makes its next call.
func (w *world) expectCall(id string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = nil
	w.expected, w.first = id, make(chan struct{})
	return w.first
}

// candidate is one side's replica: run it with start, stop it with stop.
type candidate struct {
	id      string
	g       *gate
	stopped chan struct{} // its worker returned (it stopped leading)
	cancel  context.CancelFunc
	done    chan struct{}
}

func (c *candidate) stop() {
	c.cancel()
	c.g.thaw()
	<-c.done
}

// kind starts a candidate of one side for the lease name.
type kind func(w *world, name, id string) *candidate

// gatedLock is a K8sLock behind a gate.
type gatedLock struct {
	l *leader.K8sLock
	g *gate
}

func (l gatedLock) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	l.g.wait()
	return l.l.Acquire(ctx, c)
}

func (l gatedLock) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	l.g.wait()
	return l.l.Renew(ctx, c, h)
}

func (l gatedLock) Release(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	l.g.wait()
	return l.l.Release(ctx, c, h)
}

// steadfast is a connctx.Leader on a K8sLock.
func steadfast(w *world, name, id string) *candidate {
	c := &candidate{id: id, g: &gate{}, stopped: make(chan struct{}, 16), done: make(chan struct{})}
	kl, err := leader.NewK8sLock(w.cs.CoordinationV1().Leases("default"), name)
	if err != nil {
		panic(err)
	}
	l, err := connctx.NewLeader(gatedLock{kl, c.g}, func(ctx context.Context, _ connctx.Lease, _ *errgroup.Group) error {
		w.work(ctx, id, c.g)
		c.stopped <- struct{}{}
		return nil
	}, connctx.WithIdentity(id), connctx.WithLeaseDuration(leaseDuration), connctx.WithRenewDeadline(renewDeadline),
		connctx.WithRenewInterval(retryPeriod))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { defer close(c.done); _ = l.Run(ctx) }()
	return c
}

// gatedRL is client-go's LeaseLock behind a gate.
type gatedRL struct {
	resourcelock.Interface
	g *gate
}

func (l gatedRL) Get(ctx context.Context) (*resourcelock.LeaderElectionRecord, []byte, error) {
	l.g.wait()
	return l.Interface.Get(ctx)
}

func (l gatedRL) Create(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	l.g.wait()
	return l.Interface.Create(ctx, r)
}

func (l gatedRL) Update(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	l.g.wait()
	return l.Interface.Update(ctx, r)
}

// clientgo is client-go's LeaderElector on its LeaseLock, releasing on cancel.
func clientgo(w *world, name, id string) *candidate {
	c := &candidate{id: id, g: &gate{}, stopped: make(chan struct{}, 16), done: make(chan struct{})}
	lock := &resourcelock.LeaseLock{LeaseMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Client: w.cs.CoordinationV1(), LockConfig: resourcelock.ResourceLockConfig{Identity: id}}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{Lock: gatedRL{lock, c.g},
		LeaseDuration: leaseDuration, RenewDeadline: renewDeadline, RetryPeriod: retryPeriod, ReleaseOnCancel: true, Name: name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { w.work(ctx, id, c.g); c.stopped <- struct{}{} },
			OnStoppedLeading: func() {},
		}})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		for ctx.Err() == nil { // Run returns when it stops leading; campaign again, as a restarted pod would
			le.Run(ctx)
		}
	}()
	return c
}

// twoCandidates starts a and waits until it leads, then starts b.
func twoCandidates(b *testing.B, w *world, k kind, name string) (a, c *candidate) {
	for len(w.lead) > 0 { // what the last iteration's candidates left, all stopped by now
		<-w.lead
	}
	a = k(w, name, "a")
	select {
	case id := <-w.lead:
		if id != "a" {
			b.Fatalf("%s leads first", id)
		}
	case <-time.After(10 * time.Second):
		b.Fatal("a did not lead")
	}
	return a, k(w, name, "b")
}

func waitLead(b *testing.B, w *world, id string) {
	for {
		select {
		case got := <-w.lead:
			if got == id {
				return
			}
		case <-time.After(10 * time.Second):
			b.Fatalf("%s did not lead", id)
		}
	}
}
