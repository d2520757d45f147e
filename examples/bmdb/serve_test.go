package bmdb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/examples/bmdb"
)

// serveEvents records what Serve's hooks report, in order.
type serveEvents struct {
	mu     sync.Mutex
	events []string
	ends   []bmdb.SessionEnd
	change chan struct{} // a value after each event; never blocks a hook
}

func newServeEvents() *serveEvents { return &serveEvents{change: make(chan struct{}, 1)} }

func (e *serveEvents) add(ev string, end *bmdb.SessionEnd) {
	e.mu.Lock()
	e.events = append(e.events, ev)
	if end != nil {
		e.ends = append(e.ends, *end)
	}
	e.mu.Unlock()
	select {
	case e.change <- struct{}{}:
	default:
	}
}

func (e *serveEvents) hooks() bmdb.ServeHooks {
	return bmdb.ServeHooks{
		OpenFailed: func(backoff.Retrying) { e.add("openfail", nil) },
		Started:    func(*bmdb.Session) { e.add("started", nil) },
		Ended:      func(end bmdb.SessionEnd) { e.add("ended", &end) },
	}
}

func (e *serveEvents) count(ev string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, x := range e.events {
		if x == ev {
			n++
		}
	}
	return n
}

// waitFor waits until ev was reported n times, for up to a minute.
func (e *serveEvents) waitFor(t *testing.T, ev string, n int) {
	t.Helper()
	deadline := time.After(time.Minute)
	for e.count(ev) < n {
		select {
		case <-e.change:
		case <-deadline:
			t.Fatalf("Serve reported %q %d times, want %d", ev, e.count(ev), n)
		}
	}
}

func TestServeRetriesOpeningASessionWhileTheDatabaseIsDownAndReportsEachAttempt(t *testing.T) {
	srv := faultyServer(t)
	db := open(t, srv.NewDatabase(t), bmdb.WithTTL(time.Second))
	ev := newServeEvents()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- db.Serve(ctx, t.Name(), func(ctx context.Context, s *bmdb.Session) error {
			<-ctx.Done()
			return nil
		}, bmdb.WithServeHooks(ev.hooks()))
	}()
	ev.waitFor(t, "started", 1)
	require.NoError(t, srv.Crash())
	ev.waitFor(t, "ended", 1)
	ev.waitFor(t, "openfail", 3) // the database is down: Serve keeps trying
	select {
	case err := <-errc:
		t.Fatalf("Serve returned while the database was down: %v", err)
	default:
	}
	require.NoError(t, srv.Restart(context.Background()))
	ev.waitFor(t, "started", 2)
	cancel()
	assert.NoError(t, <-errc, "Serve returns nil when its context ends")
	ev.mu.Lock()
	defer ev.mu.Unlock()
	assert.ErrorIs(t, ev.ends[0].Cause, bmdb.ErrSessionLost, "the first session was lost with the database")
}

func TestServeStartsANewSessionAfterTheWorkFailedAndStopsOnAPermanentError(t *testing.T) {
	db := open(t, d0(t), bmdb.WithTTL(200*time.Millisecond))
	boom, stop := errors.New("boom"), errors.New("stop")
	ev := newServeEvents()
	var seen []int64
	err := db.Serve(context.Background(), t.Name(), func(ctx context.Context, s *bmdb.Session) error {
		seen = append(seen, s.ID())
		if len(seen) == 1 {
			return boom
		}
		return backoff.Permanent(stop)
	}, bmdb.WithServeHooks(ev.hooks()))
	require.ErrorIs(t, err, stop, "a permanent error ends Serve with the error inside")
	assert.NotErrorIs(t, err, boom)
	assert.Len(t, seen, 2, "a failed session is followed by a new one")
	assert.Equal(t, []string{"started", "ended", "started", "ended"}, ev.events)
	assert.ErrorIs(t, ev.ends[0].Cause, boom, "the end says why")
	assert.Positive(t, ev.ends[0].Delay, "the next session waits out a backoff")
}

func TestServeTearsASessionDownBeforeItReportsItsEnd(t *testing.T) {
	db := open(t, d0(t))
	var workReturned, collected bool
	var sessions int
	err := db.Serve(context.Background(), t.Name(), func(ctx context.Context, s *bmdb.Session) error {
		defer func() { workReturned = true }()
		return nil // done: Serve returns nil
	}, bmdb.WithServeHooks(bmdb.ServeHooks{Ended: func(bmdb.SessionEnd) {
		collected = workReturned
		st, err := db.Stats(context.Background())
		require.NoError(t, err)
		sessions = st.Sessions
	}}))
	require.NoError(t, err, "work that returns nil ends Serve")
	assert.True(t, collected, "the work had returned")
	assert.Zero(t, sessions, "the session was closed before its end was reported")
}
