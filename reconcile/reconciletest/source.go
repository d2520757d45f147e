package reconciletest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/steadfast-go/steadfast/reconcile"
)

// Source is a scriptable [reconcile.Source] and [reconcile.SourceResyncer] for testing code
// that calls [reconcile.Run] (or a Source of your own): push keys, close it, make Get or Done
// fail on command, and read back every outcome reported to it.
//
// Unlike [reconcile.Queue] it does not dedupe or retry: each pushed key is handed out once, in
// order, and a Done is only recorded. It checks the caller's side of the contract: a Done of a
// key that was not handed out, or was already reported, is recorded in [Source.Violations].
//
// A Source is safe for concurrent use and works under testing/synctest (it blocks only on
// channels). The zero value is an open, empty source, ready to use.
type Source[K comparable] struct {
	mu       sync.Mutex
	pending  []K
	out      map[K]int // keys handed out and not yet reported, with how many times
	reports  []Report[K]
	resyncs  []K
	problems []string
	getErrs  []error
	doneErrs map[K]error
	closed   bool
	changed  chan struct{} // closed and replaced on every change, to wake blocked Gets
	down     chan struct{} // closed once closed and empty; made by ShutDownNotify
	isDown   bool
}

// Report is one call to [Source.Done]: the key and its outcome.
type Report[K comparable] struct {
	Key     K
	Outcome reconcile.Outcome
}

var (
	_ reconcile.Source[string]         = (*Source[string])(nil)
	_ reconcile.SourceResyncer[string] = (*Source[string])(nil)
	_ reconcile.ShutDownNotifier       = (*Source[string])(nil)
)

// Push makes keys available to Get, after those already pending, in order.
func (s *Source[K]) Push(keys ...K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, keys...)
	s.signal()
}

// Close makes Get return [reconcile.ErrShutdown] once the pending keys are handed out.
func (s *Source[K]) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.signal()
}

// ShutDownNotify returns a channel that is closed once the source is closed and every pending
// key (and scripted Get error) has been handed out, which makes it a
// [reconcile.ShutDownNotifier]: reconcile.Run then stops even while no worker is in Get. Keys
// pushed after that are still handed out to a Get, but a Run has stopped taking them.
func (s *Source[K]) ShutDownNotify() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down == nil {
		s.down = make(chan struct{})
		if s.isDown {
			close(s.down)
		}
	}
	return s.down
}

// FailGet makes the next calls to Get return errs, one per call, before any pending key.
func (s *Source[K]) FailGet(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.getErrs = append(s.getErrs, errs...)
	s.signal()
}

// FailDone makes every later Done of key return err (it is still recorded); nil undoes it.
func (s *Source[K]) FailDone(key K, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.doneErrs == nil {
		s.doneErrs = map[K]error{}
	}
	s.doneErrs[key] = err
}

// Get returns the next scripted error or pending key; with none, it blocks until one is pushed,
// the source is closed (then [reconcile.ErrShutdown]) or ctx ends (then ctx's cause).
func (s *Source[K]) Get(ctx context.Context) (K, error) {
	var zero K
	for {
		s.mu.Lock()
		if len(s.getErrs) > 0 {
			err := s.getErrs[0]
			s.getErrs = s.getErrs[1:]
			s.signal()
			s.mu.Unlock()
			return zero, err
		}
		if len(s.pending) > 0 {
			key := s.pending[0]
			s.pending = s.pending[1:]
			if s.out == nil {
				s.out = map[K]int{}
			}
			s.out[key]++
			s.signal()
			s.mu.Unlock()
			return key, nil
		}
		closed, changed := s.closed, s.wait()
		s.mu.Unlock()
		if closed {
			return zero, reconcile.ErrShutdown
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return zero, context.Cause(ctx)
		}
	}
}

// Done records the report and returns the error set by FailDone for key, if any.
func (s *Source[K]) Done(_ context.Context, key K, o reconcile.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out[key] == 0 {
		s.problems = append(s.problems, fmt.Sprintf("Done(%v, %v) of a key not handed out", key, o.Kind))
	} else if s.out[key]--; s.out[key] == 0 {
		delete(s.out, key)
	}
	s.reports = append(s.reports, Report[K]{Key: key, Outcome: o})
	s.signal()
	return s.doneErrs[key]
}

// Resync records key and pushes it like [Source.Push]; after Close it returns
// [reconcile.ErrShutdown].
func (s *Source[K]) Resync(key K) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return reconcile.ErrShutdown
	}
	s.resyncs = append(s.resyncs, key)
	s.pending = append(s.pending, key)
	s.signal()
	return nil
}

// Reports returns a copy of every Done so far, in order.
func (s *Source[K]) Reports() []Report[K] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reports)
}

// Resyncs returns a copy of every key passed to Resync so far, in order.
func (s *Source[K]) Resyncs() []K {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.resyncs)
}

// Out returns the number of keys handed out by Get and not yet reported to Done.
func (s *Source[K]) Out() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.out {
		n += c
	}
	return n
}

// Violations returns a description of every Done that broke the contract so far: a Done of a
// key that was not handed out, or reported twice.
func (s *Source[K]) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

// wait returns the channel the next change closes; s.mu must be held.
func (s *Source[K]) wait() chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// signal wakes every blocked Get, and closes the ShutDownNotify channel once the source is
// closed and empty; s.mu must be held.
func (s *Source[K]) signal() {
	if s.closed && len(s.pending) == 0 && len(s.getErrs) == 0 && !s.isDown {
		s.isDown = true
		if s.down != nil {
			close(s.down)
		}
	}
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}
