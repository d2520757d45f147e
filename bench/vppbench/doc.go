// Package vppbench measures what examples/vpp's one sync path costs: the time from a backend's
// state transition to the dataplane holding its new weight, through the controller's keyed
// queue and reconcile.Run worker, against the floor of doing the same dump, plan and apply
// inline in the checker's transition hook (no queue, no dedupe, no retry, no drift sync).
package vppbench
