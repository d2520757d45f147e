// Package watchtest is a test kit for code built on package watch: a scriptable [Source] that
// plays, call by call, the streams and failures a real API server produces.
//
// The rules:
//
//   - A [Source] plays one [Open] per Watch call: [Fail] (the call returns an error, such as
//     [GoneError] for a 410 at open) or [Stream] (a stream of [Item]s: events, bookmarks, error
//     events, 410s, delays, and [Close]). A stream without Close stays open until it is stopped;
//     so does the stream of a call past the end of the script, unless [Source.Then] decides.
//   - Streams send one event at a time on an unbuffered channel: an event is sent only when the
//     reader takes it, so a test sees exactly how far the reader got.
//   - Every Watch and List call is recorded with its options ([Source.Calls],
//     [Source.ListCalls]), so a test can assert where a watch resumed.
//   - A Source is safe for concurrent use. Its streams run on goroutines that end when the
//     stream is stopped, its context ends or its script closes it, so it works under
//     testing/synctest ([Delay] then waits in fake time) and passes goroutine-leak checks once
//     the watcher using it has stopped.
//
// The package imports nothing beyond k8s.io/apimachinery; the watch package's own tests use it.
package watchtest
