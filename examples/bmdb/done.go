package bmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/steadfast-go/steadfast/backoff"
	"github.com/steadfast-go/steadfast/reconcile"
)

// maxCause bounds the failure text stored in the backoff and history tables, in bytes.
const maxCause = 500

// Done reports the outcome of the work on l.Machine and releases the lease, in one
// transaction that first checks the fence: the lease must still be this session's, with this
// token. If it is not (it expired and was collected or taken over), Done writes nothing and
// returns a *[LeaseLostError] matching [ErrLeaseLost]: a worker that lost its lease cannot
// commit late. A transient database error ([Transient]) is retried for up to one session TTL;
// a retry that finds the outcome already committed by the attempt that failed reports
// success. If the database still fails, the outcome is lost, Done releases the lease if it
// can, so the work is done again, and returns the error. Otherwise, by o's kind:
//
//   - done: the machine moves from the process's From stage to its To stage and its backoff
//     and idempotency key are forgotten;
//   - retry: the machine waits out a backoff stored in the database (the previous interval
//     times the policy's multiplier, jittered, capped), with the error as its cause;
//   - retry-after: it waits exactly o.After, its interval unchanged;
//   - requeue ([reconcile.RequeueAfter]): the work succeeded and asked to run again; the
//     machine stays in the From stage, its backoff and idempotency key are forgotten (the next
//     run is new work, not a retry), and it is due again after exactly o.After;
//   - dropped: it moves to the DropTo stage, or is parked if there is none; its idempotency
//     key is forgotten.
//
// A sync interrupted by the end of its context (an error matching context.Canceled or
// [ErrSessionLost]: the session ended, or the process stops) did not fail: Done releases the lease with no backoff
// and records nothing. Each other report is recorded in the history. Done blocks on the
// database.
func (s *Source) Done(ctx context.Context, l Lease, o reconcile.Outcome) error {
	defer s.leave()   // after the report: the worker holds the lease until then, and counts
	defer s.forget(l) // after the report: until then a claim must not adopt the lease again
	var err error
	switch {
	case o.Kind == reconcile.OutcomeRetry && (errors.Is(o.Err, context.Canceled) || errors.Is(o.Err, ErrSessionLost)):
		return s.release(context.WithoutCancel(ctx), l) // interrupted, not failed: no backoff
	case o.Kind == reconcile.OutcomeDone && s.sess.db.d.name == "postgres":
		err = s.finishGrouped(ctx, l)
	default:
		err = s.retryReport(ctx, l, func(ctx context.Context) error { return s.report(ctx, l, o) })
	}
	if err == nil || errors.Is(err, ErrLeaseLost) {
		return err
	}
	// The outcome is lost; at least free the machine, or it would stay leased to this
	// session, and out of everyone's reach, for as long as the session lives.
	_ = s.release(context.WithoutCancel(ctx), l)
	return fmt.Errorf("bmdb: report %s of %q: %w", l.Process, l.Machine, err)
}

// leave counts a worker out of the source's users, never below zero (a lease reported that
// this source did not hand out).
func (s *Source) leave() {
	for n := s.users.Load(); n > 0 && !s.users.CompareAndSwap(n, n-1); n = s.users.Load() {
	}
}

// retryReport runs one report op under Done's retry rule: transient errors are retried for up
// to a TTL, each attempt bounded, and a retry whose fence fails asks the history whether an
// earlier attempt committed after all (its connection broke after the commit).
func (s *Source) retryReport(ctx context.Context, l Lease, op func(ctx context.Context) error) error {
	ttl := s.sess.ttl
	policy := backoff.Policy{Initial: 20 * time.Millisecond, Max: ttl / 5, MaxElapsed: ttl}
	failed := false
	_, err := retryTransient(ctx, policy, func(ctx context.Context) (struct{}, error) {
		return bounded(ctx, s.sess.callTimeout(), func(ctx context.Context) (struct{}, error) {
			err := op(ctx)
			if errors.Is(err, ErrLeaseLost) && failed {
				if ok, rerr := s.reported(ctx, l); rerr != nil || ok {
					return struct{}{}, rerr
				}
			}
			failed = failed || err != nil
			return struct{}{}, err
		})
	})
	return err
}

// reported reports whether the history holds a report of l, made by an attempt whose
// answer was lost.
func (s *Source) reported(ctx context.Context, l Lease) (bool, error) {
	var n int
	err := s.sess.db.queryRow(ctx, s.sess.db.sql, `SELECT COUNT(*) FROM history WHERE machine_id = ? AND process = ?
		AND session_id = ? AND token = ? AND event <> ?`, l.Machine, l.Process, l.Session, l.Token, EventExpired).Scan(&n)
	return n > 0, err
}

// report is one attempt at a report of o in a transaction.
func (s *Source) report(ctx context.Context, l Lease, o reconcile.Outcome) error {
	db := s.sess.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if db.d.lockMachine != "" {
			var one int
			if err := db.queryRow(ctx, tx, db.d.lockMachine, l.Machine).Scan(&one); err != nil {
				return err
			}
		}
		if err := s.fence(ctx, tx, l); err != nil {
			return err
		}
		s.sess.db.testHookInReport(l)
		event, cause := EventFinished, ""
		var err error
		switch o.Kind {
		case reconcile.OutcomeDone:
			err = s.advance(ctx, tx, l, s.proc.To)
		case reconcile.OutcomeDropped:
			event, cause = EventDropped, causeOf(o.Err)
			err = s.drop(ctx, tx, l, cause)
		case reconcile.OutcomeRequeue:
			event = EventRequeued
			err = s.requeue(ctx, tx, l, now.Add(o.After))
		default:
			event, cause = EventFailed, causeOf(o.Err)
			err = s.backOff(ctx, tx, l, now, o, cause)
		}
		if err != nil {
			return err
		}
		_, err = db.exec(ctx, tx, `INSERT INTO history (machine_id, process, session_id, token, event, cause, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, l.Machine, l.Process, l.Session, l.Token, event, cause, ms(now))
		return err
	})
}

// fence releases l if it is still held by its session with its token, or fails with a
// LeaseLostError.
func (s *Source) fence(ctx context.Context, tx *sql.Tx, l Lease) error {
	res, err := s.sess.db.exec(ctx, tx, `UPDATE work SET session_id = NULL
		WHERE machine_id = ? AND process = ? AND session_id = ? AND token = ?`,
		l.Machine, l.Process, l.Session, l.Token)
	if err != nil {
		return err
	}
	if rowsAffected(res) != 1 {
		return &LeaseLostError{Lease: l}
	}
	return nil
}

// advance moves the machine from the process's From stage to stage and forgets its backoff
// and the work's idempotency key.
func (s *Source) advance(ctx context.Context, tx *sql.Tx, l Lease, stage string) error {
	db := s.sess.db
	if _, err := db.exec(ctx, tx, `UPDATE machines SET stage = ? WHERE machine_id = ? AND stage = ?`,
		stage, l.Machine, s.proc.From); err != nil {
		return err
	}
	if err := s.forgetKey(ctx, tx, l); err != nil {
		return err
	}
	_, err := db.exec(ctx, tx, `DELETE FROM backoff WHERE machine_id = ? AND process = ?`, l.Machine, l.Process)
	return err
}

// forgetKey forgets the idempotency key of l's work: the next attempt is new work.
func (s *Source) forgetKey(ctx context.Context, tx *sql.Tx, l Lease) error {
	_, err := s.sess.db.exec(ctx, tx, `UPDATE work SET idem_key = NULL WHERE machine_id = ? AND process = ?`,
		l.Machine, l.Process)
	return err
}

// drop moves the machine to DropTo, or parks it in a backoff that never ends.
func (s *Source) drop(ctx context.Context, tx *sql.Tx, l Lease, cause string) error {
	if s.proc.DropTo != "" {
		return s.advance(ctx, tx, l, s.proc.DropTo)
	}
	if err := s.forgetKey(ctx, tx, l); err != nil {
		return err
	}
	return s.storeBackoff(ctx, tx, l, backoffRow{until: math.MaxInt64, cause: cause})
}

// backOff stores the machine's next backoff after a failure.
func (s *Source) backOff(ctx context.Context, tx *sql.Tx, l Lease, now time.Time, o reconcile.Outcome, cause string) error {
	prev, err := s.loadBackoff(ctx, tx, l)
	if err != nil {
		return err
	}
	next := prev
	next.cause = cause
	if o.Kind == reconcile.OutcomeRetryAfter {
		next.until = ms(now.Add(o.After))
	} else {
		next.failures++
		next.interval = nextInterval(s.policy, prev.interval)
		next.until = ms(now.Add(s.policy.Spread(next.interval, s.jitter())))
	}
	return s.storeBackoff(ctx, tx, l, next)
}

// requeue makes the machine due again at until as new work: no failure, no cause, a fresh
// backoff, and no idempotency key, so that the next run's side effects are not taken for
// retries of this one's.
func (s *Source) requeue(ctx context.Context, tx *sql.Tx, l Lease, until time.Time) error {
	if err := s.forgetKey(ctx, tx, l); err != nil {
		return err
	}
	return s.storeBackoff(ctx, tx, l, backoffRow{until: ms(until)})
}

// release frees the leases that are still held with their tokens, in one statement, under
// the bound of one database call.
func (s *Source) release(ctx context.Context, leases ...Lease) error {
	if len(leases) == 0 {
		return nil
	}
	db := s.sess.db
	_, err := bounded(ctx, s.sess.callTimeout(), func(ctx context.Context) (struct{}, error) {
		return struct{}{}, db.inTx(ctx, func(tx *sql.Tx) error {
			for _, l := range leases {
				if _, err := db.exec(ctx, tx, `UPDATE work SET session_id = NULL
					WHERE machine_id = ? AND process = ? AND session_id = ? AND token = ?`,
					l.Machine, l.Process, l.Session, l.Token); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("bmdb: release %d leases of %s: %w", len(leases), s.proc.Name, err)
	}
	return nil
}
