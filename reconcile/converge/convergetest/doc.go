// Package convergetest has a fake engine for testing code built on package converge: the same
// fake the converge package's own tests use.
//
// The rules:
//
//   - [Engine] is a fake system: it is both the Observer and the Engine of a
//     converge.Reconciler. Resources are of any type R, named by a key function.
//   - Each created resource follows a [PhaseScript]: pending for a number of refreshes or for a
//     time, then ready or failed, or stuck pending; ready for a number of refreshes, then
//     failed; deleted at once by Destroy, or after a time (an asynchronous deletion). [Engine.Put] seeds resources that existed
//     before the test.
//   - [Engine.Assign] makes the system fill in what it chooses on create (an identifier), as
//     real APIs do: Create returns the resource so filled in, Observe lists it, and Refresh and
//     Destroy address it by that value, so code that passes on the resource it asked for
//     instead of the one Create returned finds it not found.
//   - [Engine.InjectFaults] injects latency and errors per call, deterministically: the
//     [EngineFaults] function sees a [FaultCall]: the call's op, key and resource, how many
//     such calls came before, and what exists as the call starts, so a fault can depend on the
//     system's state (a parent that cannot be deleted while it has children). An injected
//     error changes nothing unless [EngineFault.Applied] says it did (a create whose reply was
//     lost).
//   - Every call is recorded ([Engine.Calls], [Engine.Count], [Engine.Mutations]); Create on a
//     key that exists fails with [ErrResourceExists], so a test sees a duplicate create.
//   - Latency waits on timers, so under testing/synctest it costs no real time. An Engine is
//     safe for concurrent use and starts no goroutine.
//
// The package imports nothing beyond the library's own dependencies.
package convergetest
