// Package backoffbench compares backoff.Schedule.Next with the anchors it replaces:
// cenkalti/backoff's ExponentialBackOff and apimachinery's wait.Backoff.
package backoffbench
