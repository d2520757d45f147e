package reconcile

// fifo is a growable ring buffer: a queue whose memory does not creep forward the way a
// re-sliced slice does, and that gives a large buffer back once it is empty.
type fifo[T any] struct {
	buf  []T
	head int
	n    int
}

// fifoKeep is the capacity an empty fifo keeps; a larger buffer is released when it empties,
// so that memory returns to (almost) zero after a burst.
const fifoKeep = 64

func (f *fifo[T]) len() int { return f.n }

func (f *fifo[T]) push(v T) {
	if f.n == len(f.buf) {
		f.grow()
	}
	f.buf[(f.head+f.n)%len(f.buf)] = v
	f.n++
}

func (f *fifo[T]) pop() (T, bool) {
	var zero T
	if f.n == 0 {
		return zero, false
	}
	v := f.buf[f.head]
	f.buf[f.head] = zero // drop the reference for the garbage collector
	f.head = (f.head + 1) % len(f.buf)
	f.n--
	if f.n == 0 {
		f.head = 0
		if len(f.buf) > fifoKeep {
			f.buf = nil
		}
	}
	return v, true
}

func (f *fifo[T]) grow() {
	buf := make([]T, max(2*len(f.buf), 8))
	for i := range f.n {
		buf[i] = f.buf[(f.head+i)%len(f.buf)]
	}
	f.buf, f.head = buf, 0
}

// filter keeps, in order, the elements for which keep returns true.
func (f *fifo[T]) filter(keep func(T) bool) {
	var zero T
	kept := 0
	for i := range f.n {
		v := f.buf[(f.head+i)%len(f.buf)]
		f.buf[(f.head+i)%len(f.buf)] = zero
		if keep(v) {
			f.buf[(f.head+kept)%len(f.buf)] = v
			kept++
		}
	}
	f.n = kept
}

// reset empties the fifo and releases its buffer.
func (f *fifo[T]) reset() { *f = fifo[T]{} }
