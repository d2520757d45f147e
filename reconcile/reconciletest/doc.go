// Package reconciletest has a fake work source for testing code built on package reconcile's
// Run: the same fake the reconcile package's own tests use.
//
// The rules:
//
//   - [Source] is a fake work source for reconcile.Run: the test pushes keys, closes it, makes
//     Get or Done fail on command, and reads back every outcome reported to it. It hands each
//     key out once, in order (no dedupe, no retry), and records contract violations (a Done of
//     a key not handed out, or reported twice) in [Source.Violations]. Once closed and empty
//     it closes the channel of [Source.ShutDownNotify], as reconcile.Queue does. The zero value
//     is ready.
//
// The package imports nothing beyond the library's own dependencies.
package reconciletest
