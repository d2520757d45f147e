package connctx

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Holder is who holds a lease: an identity, and the lease's fencing token, a number the lock
// makes larger every time the lease passes to a new holder (it stays the same through
// renewals). A system that the leader changes can refuse a request that carries a smaller
// token than one it has seen, which shuts out a leader that lost the lease without knowing.
// The zero Holder means nobody.
type Holder struct {
	Identity string
	Token    uint64
}

// Claim is what a [Leader] asks a [Lock] for: the lease for Identity, for Duration. The lock
// lets another identity take the lease once it went unrenewed for Duration (measured by the
// store, or by whoever observes the lease, never by the holder's word alone).
type Claim struct {
	Identity string
	Duration time.Duration
}

// Lock is a lease in a store shared by the replicas that compete for leadership: a database
// row, a Kubernetes Lease, a key with a TTL. Each method returns the holder after it ran, so
// the caller learns who holds the lease whether or not it got it. Each must be safe for
// concurrent use (Acquire and Release run on [Leader.Run]'s goroutine, Renew on another) and
// must return soon after its context ends.
//
// It has three methods, not one with a Func adapter, because the three are different writes
// to one record, and a lock that does one well does the other two.
type Lock interface {
	// Acquire takes the lease for c.Identity if it is free, has expired, or is already
	// c.Identity's, and returns the holder afterwards: c.Identity, with a larger token than the
	// previous holder's if the lease changed hands, or the identity that holds it still. An
	// error is a failed attempt that [Leader] retries, except a [backoff.Permanent] one.
	Acquire(ctx context.Context, c Claim) (Holder, error)
	// Renew extends the lease held as h for another c.Duration, and returns the holder
	// afterwards: h if it was renewed, anyone else (the zero Holder included) if the lease was
	// lost. An error means it is not known, and is retried until the lease's deadline.
	Renew(ctx context.Context, c Claim, h Holder) (Holder, error)
	// Release gives the lease up if it is still held as h, so that another can take it at
	// once, and returns the holder afterwards (the zero Holder when it is free). It changes
	// nothing if the lease is held by someone else.
	Release(ctx context.Context, c Claim, h Holder) (Holder, error)
}

// Lease is what the session of a [Leader] is given: the lease it holds during this term. The
// session's context carries the lease's deadline and ends when the lease is lost.
type Lease struct {
	Holder             // this replica's identity and the term's fencing token
	Term     int       // 1 for the first term of the Leader, counting as Connected.Session does
	Acquired time.Time // when the acquire that won the term started
}

// ErrLeaseLost is matched (with errors.Is) by the cause of a session's context that a
// [Leader] ends because its lease was lost. The cause itself is a [*LeaseLostError].
var ErrLeaseLost = errors.New("connctx: lease lost")

// ErrLeaseHeld is matched by the error of an acquire attempt that found the lease held by
// another identity ([Hooks.OnDialError] hears it; [Leader] tries again). The error is a
// [*HeldError].
var ErrLeaseHeld = errors.New("connctx: lease held by another")

// LeaseLostError is the cause of a session's context that a [Leader] ends because its lease
// was lost. It matches [ErrLeaseLost] and unwraps to Err.
type LeaseLostError struct {
	// Held is the lease that was lost: this replica's identity and the term's token.
	Held Holder
	// Holder is whom a renewal found holding the lease instead (the zero Holder: nobody). It is
	// Held when the lease was lost for want of a successful renewal.
	Holder Holder
	// Deadline is the lease's deadline when it was lost; it has passed if Expired.
	Deadline time.Time
	// Expired: no renewal succeeded in time, and the deadline passed.
	Expired bool
	// Err is the last renewal's error, if any.
	Err error
}

func (e *LeaseLostError) Error() string {
	switch {
	case e.Expired && e.Err != nil:
		return fmt.Sprintf("%v: not renewed before its deadline, last: %v", ErrLeaseLost, e.Err)
	case e.Expired:
		return fmt.Sprintf("%v: not renewed before its deadline", ErrLeaseLost)
	case e.Err != nil:
		return fmt.Sprintf("%v: %v", ErrLeaseLost, e.Err)
	case e.Holder == Holder{}:
		return fmt.Sprintf("%v: held by nobody", ErrLeaseLost)
	default:
		return fmt.Sprintf("%v: held by %q with token %d", ErrLeaseLost, e.Holder.Identity, e.Holder.Token)
	}
}

// Is reports whether target is [ErrLeaseLost].
func (e *LeaseLostError) Is(target error) bool { return target == ErrLeaseLost }

// Unwrap returns Err.
func (e *LeaseLostError) Unwrap() error { return e.Err }

// HeldError is the error of an acquire attempt that found the lease held by another. It
// matches [ErrLeaseHeld].
type HeldError struct {
	Holder Holder
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%v: %q with token %d", ErrLeaseHeld, e.Holder.Identity, e.Holder.Token)
}

// Is reports whether target is [ErrLeaseHeld].
func (e *HeldError) Is(target error) bool { return target == ErrLeaseHeld }
