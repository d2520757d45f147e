package connctx_test

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/connctx/conntest"
)

// panicky is one Supervise setup in which the code at one place panics with v: a session that
// keeps a worker goroutine running on its connection, over a dialer that fails once first.
type panicky struct {
	v        *boom
	dialer   *conntest.Dialer
	running  atomic.Int32 // session workers alive
	lost     int          // OnLost calls
	dial     connctx.DialFunc[*conntest.Conn]
	lifetime connctx.LifetimeFunc[*conntest.Conn]
	session  connctx.SessionFunc[*conntest.Conn]
	opts     []connctx.Option
}

func newPanicky(where string) *panicky {
	p := &panicky{v: &boom{where}, dialer: conntest.NewDialer(1, nil), lifetime: readyLifetime}
	p.dial = p.dialer.Dial
	p.session = func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
		p.startWorker(ctx, conn, g)
		<-ctx.Done()
		return nil
	}
	p.opts = []connctx.Option{connctx.WithDialPolicy(fixed(time.Second)), connctx.WithRestartPolicy(fixed(time.Second)),
		connctx.WithHooks(connctx.Hooks{OnLost: func(connctx.Lost) { p.lost++ }})}
	return p
}

// startWorker starts a session goroutine that lives as long as the session's context.
func (p *panicky) startWorker(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) {
	p.running.Add(1)
	g.Go(func() error {
		defer p.running.Add(-1)
		<-ctx.Done()
		time.Sleep(time.Second) // slow to finish: the teardown must wait for it
		if conn.Closed() {
			panic("a worker outlived its connection")
		}
		return nil
	})
}

func (p *panicky) run(t *testing.T) any {
	return recovered(func() {
		err := connctx.Supervise(t.Context(), p.dial, p.lifetime, p.session, p.opts...)
		t.Errorf("Supervise returned %v instead of passing the panic on", err)
	})
}

func TestSuperviseTearsDownWhatIsOpenAndPassesAPanicOn(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(p *panicky)
		wantLost int // OnLost calls for sessions that ended before the panic
	}{
		{"in the session", func(p *panicky) {
			p.session = func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
				p.startWorker(ctx, conn, g)
				panic(p.v)
			}
		}, 0},
		{"in the lifetime", func(p *panicky) {
			p.lifetime = func(context.Context, *conntest.Conn) (context.Context, context.CancelFunc, error) { panic(p.v) }
		}, 0},
		{"in the lifetime's probe", func(p *panicky) {
			p.lifetime = func(ctx context.Context, _ *conntest.Conn) (context.Context, context.CancelFunc, error) {
				probe := connctx.ProbeFunc(func(context.Context) error { panic(p.v) })
				return connctx.WithProbe(ctx, probe, connctx.WithProbeInterval(time.Second))
			}
		}, 0},
		{"in OnConnected", func(p *panicky) {
			p.opts = append(p.opts, connctx.WithHooks(connctx.Hooks{OnConnected: func(connctx.Connected) { panic(p.v) }}))
		}, 0},
		{"in OnLost", func(p *panicky) {
			p.opts = append(p.opts, connctx.WithHooks(connctx.Hooks{OnLost: func(connctx.Lost) { panic(p.v) }}))
			p.dialer.FailNext(0, nil)
			p.session = func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
		}, 0},
		{"in OnDialError", func(p *panicky) {
			p.opts = append(p.opts, connctx.WithHooks(connctx.Hooks{OnDialError: func(backoff.Retrying) { panic(p.v) }}))
		}, 0},
		{"in the second dial", func(p *panicky) {
			p.dialer.FailNext(0, nil)
			p.session = func(context.Context, *conntest.Conn, *errgroup.Group) error { return nil }
			p.dial = func(ctx context.Context) (*conntest.Conn, error) {
				if p.dialer.Dials() == 1 {
					panic(p.v)
				}
				return p.dialer.Dial(ctx)
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { // which also fails on a goroutine left blocked
				p := newPanicky(tt.name)
				tt.setup(p)
				assert.Same(t, p.v, p.run(t), "the panic goes on with its value")
				assert.Zero(t, p.dialer.Open(), "no connection is left open")
				assert.Zero(t, p.running.Load(), "no worker is left running")
				assert.Equal(t, tt.wantLost, p.lost, "OnLost is not called on a panic")
			})
		})
	}
}

func TestSuperviseTearsDownASessionThatCallsGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanicky("Goexit")
		p.session = func(ctx context.Context, conn *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { <-ctx.Done(); return nil })
			runtime.Goexit() // t.FailNow in a session does this
			return nil
		}
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			_ = connctx.Supervise(t.Context(), p.dial, p.lifetime, p.session, p.opts...)
		}()
		<-exited
		assert.Zero(t, p.dialer.Open(), "no connection is left open")
	})
}

func TestSuperviseGivesAPanickingSessionsGoroutinesItsOwnCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := make(chan error, 1)
		p := newPanicky("session")
		p.session = func(ctx context.Context, _ *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { <-ctx.Done(); seen <- context.Cause(ctx); return nil })
			panic(p.v)
		}
		require.Same(t, p.v, p.run(t))
		cause := <-seen
		assert.ErrorContains(t, cause, "session panicked")
	})
}

// TestAPanicInASessionGoroutineEndsTheProgram runs itself in a child process, which must crash:
// errgroup does not recover a panic in a goroutine, and connctx never sees one.
func TestAPanicInASessionGoroutineEndsTheProgram(t *testing.T) {
	const env = "CONNCTX_TEST_GOROUTINE_PANIC"
	if os.Getenv(env) == "1" {
		session := func(ctx context.Context, _ *conntest.Conn, g *errgroup.Group) error {
			g.Go(func() error { panic("boom in a session goroutine") })
			<-ctx.Done()
			return nil
		}
		_ = connctx.Supervise(context.Background(), conntest.NewDialer(0, nil).Dial, readyLifetime, session)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAPanicInASessionGoroutineEndsTheProgram$")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child should have crashed; its output:\n%s", out)
	assert.Contains(t, string(out), "panic: boom in a session goroutine")
}
