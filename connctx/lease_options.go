package connctx

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
)

// Defaults of a [Leader], client-go's leaderelection's: a leader that dies is replaced within
// DefaultLeaseDuration (plus one acquire interval), and a leader cut off from the store stops
// within DefaultRenewDeadline, 5 s before anyone else may take the lease.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRenewInterval = 2 * time.Second
)

// LeaseOption configures a [Leader]. The lease options are [WithLeaseDuration],
// [WithRenewDeadline], [WithRenewInterval] and [WithIdentity]. Every [Option] of [Supervise]
// is a LeaseOption too, with the lease's meaning:
//
//   - [WithDialPolicy]: the backoff between acquire attempts, a lease held by another being a
//     failed attempt. The default tries every renew interval, jittered by 20%, forever.
//   - [WithDialTimeout]: bounds each acquire attempt; the default is the renew deadline.
//   - [WithRestartPolicy]: the wait after a term ends before the next acquire. The default
//     starts at the renew interval and doubles up to the lease duration, jittered by 20%.
//   - [WithHealthyAfter]: a term that lasted this long resets the restart backoff; the
//     default is the lease duration.
//   - [WithHooks]: OnConnected when a term starts, OnLost after it ended and the lease was
//     released, OnDialError after each failed acquire attempt ([*HeldError] for another holder).
//
// A nil LeaseOption, or an Option that is a nil func, is absent.
type LeaseOption interface {
	applyLease(o *leaseOptions)
}

// applyLease makes every Option of Supervise a LeaseOption: it is kept for the Supervise call.
func (o Option) applyLease(lo *leaseOptions) {
	if o != nil {
		lo.supervise = append(lo.supervise, o)
	}
}

type leaseFunc func(*leaseOptions)

func (f leaseFunc) applyLease(lo *leaseOptions) { f(lo) }

type leaseOptions struct {
	duration, renewDeadline, renewInterval time.Duration
	identity                               string
	identitySet                            bool
	supervise                              []Option // the caller's Supervise options, in order
}

// WithLeaseDuration sets how long the lease lasts unrenewed (default [DefaultLeaseDuration]):
// the [Claim]'s Duration, after which another may take it. It must be longer than the renew
// deadline.
func WithLeaseDuration(d time.Duration) LeaseOption {
	return leaseFunc(func(o *leaseOptions) { o.duration = d })
}

// WithRenewDeadline sets how long after the start of its last successful acquire or renewal
// the lease is known to be safe (default [DefaultRenewDeadline]): the session's context
// carries that moment as its deadline and ends then if no renewal has succeeded since. It
// must be positive, longer than the renew interval and shorter than the lease duration; the
// difference is the margin for clocks that run at different rates.
func WithRenewDeadline(d time.Duration) LeaseOption {
	return leaseFunc(func(o *leaseOptions) { o.renewDeadline = d })
}

// WithRenewInterval sets the wait between renewals (default [DefaultRenewInterval]), each
// shortened at random by up to a fifth, so that replicas do not renew in lockstep. A failed
// renewal is tried again after the same wait. It must be positive and shorter than the renew
// deadline.
func WithRenewInterval(d time.Duration) LeaseOption {
	return leaseFunc(func(o *leaseOptions) { o.renewInterval = d })
}

// WithIdentity sets the identity the lease is held under. It must not be empty, and must
// differ between replicas: the pod's or the host's name. The default is "leader-" and 16
// random hex digits, which differs between replicas but says nothing about them.
func WithIdentity(id string) LeaseOption {
	return leaseFunc(func(o *leaseOptions) { o.identity, o.identitySet = id, true })
}

func newLeaseOptions(opts []LeaseOption) (leaseOptions, error) {
	o := leaseOptions{duration: DefaultLeaseDuration, renewDeadline: DefaultRenewDeadline, renewInterval: DefaultRenewInterval}
	for _, opt := range opts {
		if !isNil(opt) { // a nil interface or a nil func of either kind is absent
			opt.applyLease(&o)
		}
	}
	switch {
	case o.renewInterval <= 0:
		return o, invalid("renew interval %v is not positive", o.renewInterval)
	case o.renewDeadline <= o.renewInterval:
		return o, invalid("renew deadline %v is not longer than the renew interval %v", o.renewDeadline, o.renewInterval)
	case o.duration <= o.renewDeadline:
		return o, invalid("lease duration %v is not longer than the renew deadline %v", o.duration, o.renewDeadline)
	case o.identity == "" && o.identitySet:
		return o, invalid("empty identity")
	}
	if o.identity == "" {
		o.identity = defaultIdentity()
	}
	o.supervise = append(o.defaults(), o.supervise...)
	if _, err := newOptions(o.supervise); err != nil {
		return o, err
	}
	return o, nil
}

// defaults are the Supervise options that give Supervise's settings their lease meaning; the
// caller's come after them, and so win.
func (o leaseOptions) defaults() []Option {
	return []Option{
		WithDialPolicy(backoff.Policy{Initial: o.renewInterval, Multiplier: 1, Jitter: 0.2,
			Max: backoff.Forever, MaxElapsed: backoff.Forever}),
		WithDialTimeout(o.renewDeadline),
		WithRestartPolicy(backoff.Policy{Initial: o.renewInterval, Jitter: 0.2, Max: o.duration,
			MaxElapsed: backoff.Forever}),
		WithHealthyAfter(o.duration),
	}
}

func defaultIdentity() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (it crashes the program instead)
	return "leader-" + hex.EncodeToString(b[:])
}
