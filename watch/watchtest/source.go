package watchtest

import (
	"context"
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// Source is a scriptable watch source: each Watch call plays the next [Open] of its script
// and records the options it was called with. When the script is used up, Watch asks the
// function given to [Source.Then], or else returns a stream that stays open and silent until
// it is stopped. It also serves a list function ([Source.SetList]).
//
// A Source is safe for concurrent use and works under testing/synctest: its streams run on
// goroutines that end when the stream is stopped, its context ends, or its script closes it.
// Its methods have the signatures of the watch package's Source and ListFunc, so a *Source is a
// watch.Source and s.List is a watch.ListFunc.
type Source struct {
	mu     sync.Mutex
	script []Open
	then   func(call int, opts metav1.ListOptions) Open
	calls  []metav1.ListOptions
	list   func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error)
	lists  []metav1.ListOptions
	open   int
}

// NewSource returns a Source that plays opens, one per Watch call.
func NewSource(opens ...Open) *Source { return &Source{script: opens} }

// Push appends opens to the script.
func (s *Source) Push(opens ...Open) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, opens...)
}

// Then sets the function that decides what a Watch call does once the script is used up; it
// gets the call's number (0 for the first call ever) and options. It is called with the
// Source's lock held, so it must not call the Source.
func (s *Source) Then(fn func(call int, opts metav1.ListOptions) Open) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.then = fn
}

// Watch records opts and plays the next Open: it returns its error, or a stream of its items.
func (s *Source) Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	s.mu.Lock()
	call := len(s.calls)
	s.calls = append(s.calls, opts)
	var o Open
	switch {
	case len(s.script) > 0:
		o, s.script = s.script[0], s.script[1:]
	case s.then != nil:
		o = s.then(call, opts)
	}
	if o.err != nil {
		s.mu.Unlock()
		return nil, o.err
	}
	s.open++
	s.mu.Unlock()
	return play(ctx, o.items, s.closed), nil
}

func (s *Source) closed() {
	s.mu.Lock()
	s.open--
	s.mu.Unlock()
}

// Calls returns the options of every Watch call so far, in order.
func (s *Source) Calls() []metav1.ListOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Open returns how many streams are playing: returned by Watch and not yet ended.
func (s *Source) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// SetList sets what [Source.List] answers.
func (s *Source) SetList(fn func(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = fn
}

// List records opts and calls the function given to [Source.SetList]; without one it returns
// an empty list at resourceVersion "1".
func (s *Source) List(ctx context.Context, opts metav1.ListOptions) ([]runtime.Object, string, error) {
	s.mu.Lock()
	s.lists = append(s.lists, opts)
	fn := s.list
	s.mu.Unlock()
	if fn == nil {
		return nil, "1", nil
	}
	return fn(ctx, opts)
}

// ListCalls returns the options of every List call so far, in order.
func (s *Source) ListCalls() []metav1.ListOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lists)
}
