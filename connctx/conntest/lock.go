package conntest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/steadfast-go/steadfast/connctx"
)

// ErrLock is the error a [Lock] fails with when it was given none.
var ErrLock = errors.New("conntest: lock call failed")

// Lock is a fake lease store, a connctx.Lock that any number of Leaders share, each with its
// own identity. The lease expires its Claim's Duration after the last acquire or renewal, on
// time.Now (the fake clock under testing/synctest). The fencing token grows by one whenever
// the lease is acquired while free, expired or held by another; it stays the same through
// renewals and when the holder acquires the lease it still holds. It is safe for concurrent
// use.
type Lock struct {
	mu       sync.Mutex
	holder   connctx.Holder
	expires  time.Time
	token    uint64
	failures int
	err      error
	hang     chan struct{} // not nil: calls wait for it to close, or for their context
	calls    map[string]int
	holders  []connctx.Holder
}

var _ connctx.Lock = (*Lock)(nil)

// NewLock returns a free lease.
func NewLock() *Lock { return &Lock{calls: map[string]int{}} }

// Acquire takes the lease for c.Identity if it is free, expired or c.Identity's.
func (l *Lock) Acquire(ctx context.Context, c connctx.Claim) (connctx.Holder, error) {
	return l.call(ctx, "acquire", func(now time.Time) connctx.Holder {
		if l.live(now) && l.holder.Identity != c.Identity {
			return l.holder
		}
		if !l.live(now) {
			l.take(c.Identity)
		}
		l.expires = now.Add(c.Duration)
		return l.holder
	})
}

// Renew extends the lease if it is held as h, expired or not (nobody else took it).
func (l *Lock) Renew(ctx context.Context, c connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	return l.call(ctx, "renew", func(now time.Time) connctx.Holder {
		if l.holder != h || h == (connctx.Holder{}) {
			return l.current(now)
		}
		l.expires = now.Add(c.Duration)
		return l.holder
	})
}

// Release frees the lease if it is held as h.
func (l *Lock) Release(ctx context.Context, _ connctx.Claim, h connctx.Holder) (connctx.Holder, error) {
	return l.call(ctx, "release", func(now time.Time) connctx.Holder {
		if l.holder == h {
			l.holder = connctx.Holder{}
		}
		return l.current(now)
	})
}

// call counts the call, waits while the lock hangs, fails it if scripted, or runs op.
func (l *Lock) call(ctx context.Context, name string, op func(now time.Time) connctx.Holder) (connctx.Holder, error) {
	l.mu.Lock()
	l.calls[name]++
	hang := l.hang
	l.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return connctx.Holder{}, context.Cause(ctx)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ctx.Err() != nil {
		return connctx.Holder{}, context.Cause(ctx)
	}
	if l.failures > 0 {
		l.failures--
		return connctx.Holder{}, l.err
	}
	return op(time.Now()), nil
}

func (l *Lock) live(now time.Time) bool {
	return l.holder != (connctx.Holder{}) && now.Before(l.expires)
}

func (l *Lock) current(now time.Time) connctx.Holder {
	if l.live(now) {
		return l.holder
	}
	return connctx.Holder{}
}

// take gives the lease to identity with a new token. Called with l.mu held.
func (l *Lock) take(identity string) {
	l.token++
	l.holder = connctx.Holder{Identity: identity, Token: l.token}
	l.holders = append(l.holders, l.holder)
}

// Take gives the lease to identity for d, whoever holds it: another replica that took over.
func (l *Lock) Take(identity string, d time.Duration) connctx.Holder {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.take(identity)
	l.expires = time.Now().Add(d)
	return l.holder
}

// Holder returns the holder now: the zero Holder if the lease is free or expired.
func (l *Lock) Holder() connctx.Holder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current(time.Now())
}

// Holders returns every holder the lease had, in the order they took it.
func (l *Lock) Holders() []connctx.Holder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]connctx.Holder(nil), l.holders...)
}

// FailNext makes the next n calls, of any method, fail with err ([ErrLock] if err is nil).
func (l *Lock) FailNext(n int, err error) {
	if err == nil {
		err = ErrLock
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures, l.err = n, err
}

// Hang makes every call, from now on, wait until resume is called or its context ends (then
// it fails with the context's cause): a store that stopped answering. resume may be called
// more than once.
func (l *Lock) Hang() (resume func()) {
	ch := make(chan struct{})
	l.mu.Lock()
	l.hang = ch
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			if l.hang == ch {
				l.hang = nil
			}
			l.mu.Unlock()
			close(ch)
		})
	}
}

// Calls returns how many times the method named ("acquire", "renew", "release") was called.
func (l *Lock) Calls(method string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[method]
}
