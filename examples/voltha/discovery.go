package voltha

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	apiwatch "k8s.io/apimachinery/pkg/watch"
)

// DeviceDiscovered is a device discovery event: the core named Core found the device named by
// the object's Name. It is the object of the events a discovery source streams (the origin
// read them from Kafka); its resourceVersion orders them.
type DeviceDiscovered struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Core              string `json:"core"`
}

// DeepCopyObject returns a deep copy of d.
func (d *DeviceDiscovered) DeepCopyObject() runtime.Object {
	c := *d
	d.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

// Bus is an in-process discovery source: a log of [DeviceDiscovered] events that
// [Bus.Publish] appends to and every watch replays from its resourceVersion on, then follows.
// It is a watch.Source (and [Bus.List] a watch.ListFunc), so a watch.Watcher resumes on it
// without loss. The zero Bus is ready to use; it is safe for concurrent use. It keeps every
// event it was given.
type Bus struct {
	mu     sync.Mutex
	events []*DeviceDiscovered
	wake   chan struct{} // closed and replaced by Publish: wakes every stream
}

// Publish appends a discovery of device by core and wakes the streams. It does not block.
func (b *Bus) Publish(device, core string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rv := strconv.Itoa(len(b.events) + 1)
	b.events = append(b.events, &DeviceDiscovered{ObjectMeta: metav1.ObjectMeta{Name: device, ResourceVersion: rv}, Core: core})
	if b.wake != nil {
		close(b.wake)
		b.wake = nil
	}
}

// after returns the events after resourceVersion rv, and a channel closed at the next Publish.
func (b *Bus) after(rv int) ([]*DeviceDiscovered, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wake == nil {
		b.wake = make(chan struct{})
	}
	return b.events[min(rv, len(b.events)):], b.wake
}

// List returns every event's object and the last resourceVersion, like a list call.
func (b *Bus) List(_ context.Context, _ metav1.ListOptions) ([]runtime.Object, string, error) {
	evs, _ := b.after(0)
	objs := make([]runtime.Object, len(evs))
	for i, e := range evs {
		objs[i] = e.DeepCopyObject()
	}
	return objs, strconv.Itoa(len(evs)), nil
}

// Watch returns a stream of the events after opts.ResourceVersion ("" or "0": all of them),
// then of every event published, until it is stopped or ctx ends. A resourceVersion that is
// not a number from 0 is an error.
func (b *Bus) Watch(ctx context.Context, opts metav1.ListOptions) (apiwatch.Interface, error) {
	from := 0
	if opts.ResourceVersion != "" {
		n, err := strconv.Atoi(opts.ResourceVersion)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("voltha: discovery watch from resourceVersion %q: not a version", opts.ResourceVersion)
		}
		from = n
	}
	s := &busStream{result: make(chan apiwatch.Event), stop: make(chan struct{})}
	go s.run(ctx, b, from)
	return s, nil
}

// busStream is one watch on a Bus. Its goroutine owns result and closes it when it ends.
type busStream struct {
	result   chan apiwatch.Event
	stop     chan struct{}
	stopOnce sync.Once
}

func (s *busStream) ResultChan() <-chan apiwatch.Event { return s.result }

func (s *busStream) Stop() { s.stopOnce.Do(func() { close(s.stop) }) }

func (s *busStream) run(ctx context.Context, b *Bus, rv int) {
	defer close(s.result)
	for {
		evs, wake := b.after(rv)
		for _, e := range evs {
			select {
			case s.result <- apiwatch.Event{Type: apiwatch.Added, Object: e.DeepCopyObject()}:
				rv++
			case <-s.stop:
				return
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-wake:
		case <-s.stop:
			return
		case <-ctx.Done():
			return
		}
	}
}
