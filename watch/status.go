package watch

import "time"

// State is where a resource's loop is.
type State int

// The states of a resource, as [Status] reports them.
const (
	// StatePending: added, waiting for Run (or for a removed resource of the same name to stop).
	StatePending State = iota
	// StateWatching: opening or reading a stream, or handling an event.
	StateWatching
	// StateRelisting: listing and delivering the list, at the start or after 410 Gone, or
	// resyncing.
	StateRelisting
	// StateBackoff: waiting before the next attempt after a failure.
	StateBackoff
	// StateStopped: Run ended; the resource resumes where it was on the next Run.
	StateStopped
	// StateFailed: the resource gave up.
	StateFailed
)

var stateNames = [...]string{"pending", "watching", "relisting", "backoff", "stopped", "failed"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// Status is a snapshot of one resource, from [Watcher.Status].
type Status struct {
	State State
	// Attempts counts the failures in a row: the stream's since it last made progress, plus the
	// handler's on the event it is retrying.
	Attempts int
	// LastError is the most recent error of the resource, kept after it recovered; nil if none.
	LastError error
	// ResourceVersion is where the watch resumes: the last one whose handler returned nil, or
	// the last bookmark.
	ResourceVersion string
	// Since is when the resource entered State.
	Since time.Time
	// Synced is true once the resource's state has been delivered in full and a watch is open
	// from there (see [Syncer]); it stays true. [Watcher.Synced] reads it.
	Synced bool
}
