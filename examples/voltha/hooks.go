package voltha

import (
	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/connctx"
	"github.com/steadfast-go/steadfast/watch"
)

// watchHooks feed the metrics and the log from the watcher.
func (d *Daemon) watchHooks() []watch.Option {
	return []watch.Option{
		watch.WithHooks(watch.Hooks{OnRestart: func(r watch.Restart) {
			d.metrics.watch.OnRestart(r)
			if r.Err != nil {
				d.cfg.log.Warn("watch restarts", "resource", r.Resource, "err", r.Err, "delay", r.Delay, "attempt", r.Attempt)
			}
		}}),

		watch.WithHooks(watch.Hooks{OnRelist: func(r watch.Relist) {
			d.metrics.watch.OnRelist(r)
			d.cfg.log.Info("watch relists", "resource", r.Resource, "cause", r.Err)
		}}),

		watch.WithHooks(watch.Hooks{OnGiveUp: func(err *watch.GiveUpError) { d.metrics.watch.OnGiveUp(err) }}),
	}
}

// superviseHooks feed the metrics, the health and the log from the supervisor.
func (d *Daemon) superviseHooks() []connctx.Option {
	return []connctx.Option{
		connctx.WithHooks(connctx.Hooks{OnConnected: func(c connctx.Connected) {
			d.metrics.router.OnConnected(c)
			d.health.connected()
			d.cfg.log.Info("router connected", "session", c.Session)
		}}),

		connctx.WithHooks(connctx.Hooks{OnLost: func(l connctx.Lost) {
			d.metrics.router.OnLost(l)
			d.health.lost()
			d.cfg.log.Warn("router session ended", "session", l.Session, "cause", l.Cause, "uptime", l.Uptime, "retry in", l.Delay)
		}}),

		connctx.WithHooks(connctx.Hooks{OnDialError: func(r backoff.Retrying) {
			d.metrics.router.OnDialError(r)
			d.cfg.log.Warn("router dial failed", "err", r.Err, "attempt", r.Attempt, "retry in", r.Delay)
		}}),
	}
}
