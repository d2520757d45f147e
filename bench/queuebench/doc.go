// Package queuebench compares reconcile.Queue with client-go's util/workqueue, the queue every
// Kubernetes controller uses: add, take and done of distinct keys with 4 workers.
package queuebench
