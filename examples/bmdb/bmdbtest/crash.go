package bmdbtest

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Crash stops the server at once, as `pg_ctl stop -m immediate` does: every backend quits
// with no goodbye to its client, and the next start recovers from the write-ahead log. Clients
// see their connections break, then connections refused. Crash returns once the server has
// exited. It must not run concurrently with Restart or Stop.
func (p *Postgres) Crash() error {
	if p.cmd == nil {
		return errors.New("bmdbtest: crash: the server is not running")
	}
	// SIGQUIT is PostgreSQL's immediate shutdown; the whole group, since runuser forks.
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGQUIT); err != nil {
		return fmt.Errorf("bmdbtest: crash: %w", err)
	}
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
	p.cmd = nil
	return nil
}

// Restart starts the server again after [Postgres.Crash], on the same port and data, and
// returns once it accepts connections (after its crash recovery).
func (p *Postgres) Restart(ctx context.Context) error {
	if p.cmd != nil {
		return errors.New("bmdbtest: restart: the server is running")
	}
	return p.serve(ctx)
}
