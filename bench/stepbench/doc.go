// Package stepbench compares converge.Reconciler, with its defaults, with the sequential
// create-then-wait algorithm of the anexia k8s-anexia-ccm LBaaS reconciliation it grows out of,
// written fresh here as the anchor, on the same tree of 1,000 resources in dependency levels,
// against a fake API with a fixed latency per call, a fixed time until ready, and a limit of
// calls in flight beyond which it answers 429 with a Retry-After, as a cloud API does.
package stepbench
