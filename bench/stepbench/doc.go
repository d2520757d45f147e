// Package stepbench compares converge.Reconciler with the sequential create-then-wait
// algorithm of the anexia k8s-anexia-ccm LBaaS reconciliation it grows out of, written fresh
// here as the baseline, on a tree of resources in dependency levels against a fake engine with
// a fixed latency per call and a fixed time until ready.
package stepbench
