// Package vpp rebuilds the controller of vpp-maglev (a Maglev load balancer controller for
// VPP's LB plugin) on steadfast: a health checker moves each backend through its states, and
// every state change and a periodic drift sync go through one sync path that computes each
// backend's effective weight, with priority failover between pools, and programs the
// dataplane; the dataplane connection is kept alive with a ping, and everything is re-pushed
// after the dataplane restarts.
//
// The rules:
//
//   - A [Config] names backends (address, health check, disabled) and frontends (VIP,
//     protocol, port, and the VIP's encap, DSCP, NAT ports and new-flows table length) with
//     ordered pools of backends, each with a weight (0 to [MaxWeight]). [Config.Validate]
//     reports every problem, matching [ErrInvalidConfig], including what the LB plugin would
//     refuse: an encap that does not fit the VIP's or the backends' address family, two encaps
//     on one VIP address, a table length that is not a power of two. [ParseConfig] reads the
//     JSON form (unknown fields are errors) and validates it.
//   - The [Checker] probes each backend with its [HealthCheck] (HTTP or TCP; [NetProber] opens a
//     new connection for every probe), at once when Run starts and then every Interval. A
//     backend without a check is static: up at the first check. Unknown is decided by the first
//     result; up goes down after Fall failures in a row, down comes up after Rise passes in a
//     row. Disabled and paused backends are not probed. Enable after Disable (and Resume after
//     Pause) goes through unknown, keeps the backend's history, and probes at once. Every
//     transition, and only a transition, is an [Event] with its from and to states.
//     [Checker.Snapshot] returns the states of many backends as they were at one moment.
//   - The weight rule is one pure function, [EffectiveWeight], with its truth table in its doc;
//     [ActivePool] picks the first pool with a backend up (pool 0 if none). A backend's entry
//     is flushed only on its way to weight 0, never in steady state.
//   - [Dataplane] is shaped like the LB plugin's API (the README maps each method to its
//     message); [MemDataplane] is an in-memory one that refuses what the plugin refuses, and can
//     stop, start and restart, forgetting everything and ending every connection.
//   - The [Controller] has one sync path on [reconcile.Run], keyed by frontend name: a checker
//     transition enqueues the frontends that use the backend; a drift sync enqueues them all every
//     drift interval; a new dataplane session enqueues them all. A sync takes one snapshot of
//     the frontend's backends, computes its desired set ([DesiredSet]), and applies only the
//     difference ([Plan]) from what the controller knows the dataplane holds: what it read with
//     a dump and changed since with calls that succeeded. It dumps when a session starts, after
//     a call failed, and once per drift round (to see changes made behind its back), and at no
//     other time: a sync that changes nothing makes no call, and a transition that changes one
//     backend's weight (and no pool's turn) makes one in each frontend that uses it. A VIP found with other parameters than its frontend's is deleted and
//     created again. Disabled backends keep their entry, at weight 0. The controller owns the
//     VIPs of its frontends and leaves any other VIP alone.
//   - The connection to the dataplane runs under [connctx.Supervise], with
//     [connctx.WithProbe] (the dataplane's Ping) as its lifetime: when pings fail, the session is
//     torn down and the next one sets the global conf and re-pushes everything. A session syncs
//     nothing before the checker's first round ([Checker.FirstRound]): a controller restarted in
//     front of a serving dataplane must not drain every backend while their states are unknown.
//   - [Controller.View] is the operator's view of a frontend or all of them (pool, configured,
//     effective and dataplane weight, state and since, per backend), from one snapshot and
//     without a dataplane call; [NewViewHandler] serves it read-only over HTTP as JSON or text.
//   - Checker.Run and Controller.Run block until their context ends and return after every
//     goroutine they started has ended. Constructors start nothing. The package logs with
//     log/slog, through [WithLogger] only.
//
// Left out of vpp-maglev on purpose: config reload (and with it a "removed" state and the
// deletion of VIPs a reload drops), ICMP checks, a per-frontend choice not to flush on down,
// src_ip_sticky (lb_add_del_vip_v2's one addition), and its HAProxy-style single health
// counter: here rise and fall count results in a row, which is simpler to state and to test.
//
// Command examples/cmd/vpp runs all of it against real HTTP backends on loopback.
package vpp
