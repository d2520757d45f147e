// Package vppbench measures what examples/vpp's one sync path costs: the time from a backend's
// state transition to the dataplane holding its new weight, through the controller's keyed
// queue and reconcile.Run worker, against the floor of doing a dump, plan and apply inline in
// the checker's transition hook (no queue, no dedupe, no retry, no drift sync); and the same
// time on 10 and on 1,000 VIPs of 8 servers, with exactly one dataplane call per transition.
package vppbench
